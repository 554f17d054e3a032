"""`scraper completion`: the shell completion script (click's)."""

from __future__ import annotations

import click
from click.shell_completion import get_completion_class


@click.command()
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion(shell: str) -> None:
    """Print the shell completion script for SHELL (click's shell completion).

    \b
    Examples:
      scraper completion bash > ~/.local/share/bash-completion/completions/scraper
      eval "$(scraper completion zsh)"     # in ~/.zshrc
    """
    completer = get_completion_class(shell)
    assert completer is not None, shell  # every choice is a shell click supports
    click.echo(
        completer(
            click.get_current_context().find_root().command, {}, "scraper", "_SCRAPER_COMPLETE"
        ).source()
    )
