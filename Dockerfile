# scraper serve in a container: docker build -t scraper . && docker run -e SCRAPER_TOKEN -p 8000:8000 scraper
# (not built in CI). The token comes from the environment (or mount a file and pass --token-file).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml constraints.txt README.md LICENSE ./
COPY scraper ./scraper
RUN pip install -c constraints.txt '.[serve]' && useradd --system --uid 10001 scraper
COPY config ./config

USER scraper
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"
# 0.0.0.0 inside the container: a token is required (the command refuses to start without one)
ENTRYPOINT ["scraper", "serve", "--host", "0.0.0.0", "--port", "8000"]
