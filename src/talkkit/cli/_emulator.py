"""`talkkit emulator serve`: run the in-memory API emulator on a local port."""

from __future__ import annotations

import click

__all__ = ["emulator"]

_RATE = click.FloatRange(0.0, 1.0)


@click.group()
def emulator() -> None:
    """Run the in-memory Talkturo/Talkover/Talkory emulator."""


@emulator.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(1, 65535))
@click.option("--seed", default=0, show_default=True, help="Seed for ids and faults.")
@click.option("--no-rate-limits", is_flag=True, help="Disable the server-side rate limits.")
@click.option(
    "--allow-duplicates",
    is_flag=True,
    envvar="TALKKIT_EMULATOR_ALLOW_DUPLICATES",
    help="Store every contact and company create instead of refusing an existing email, "
    "phone or company name with 409 (to count on the server what a client created).",
)
@click.option(
    "--call-time-scale",
    default=1.0,
    show_default=True,
    type=click.FloatRange(0.0),
    envvar="TALKKIT_EMULATOR_CALL_TIME_SCALE",
    metavar="X",
    help="Real seconds per second of a call's life: 0.01 ends calls a hundred times faster, "
    "0 at once (how long `calls dial --wait` follows them).",
)
@click.option(
    "--talkturo-webhook-url",
    default=None,
    metavar="URL",
    help="Deliver Talkturo call webhooks of campaign calls here, signed with Ed25519 (the "
    "public key is printed; needs the 'webhooks' extra). The dashboard setting on the real "
    "service.",
)
@click.option(
    "--fault-route",
    default="*",
    show_default=True,
    help='Pattern the fault options apply to, e.g. "POST /api/v1/*".',
)
@click.option("--latency", default=0.0, type=click.FloatRange(0.0), help="Seconds per request.")
@click.option("--error-rate", default=0.0, type=_RATE, help="Share answered with 500.")
@click.option("--throttle-rate", default=0.0, type=_RATE, help="Share answered with 429.")
@click.option("--drop-rate", default=0.0, type=_RATE, help="Share dropped before processing.")
@click.option("--commit-drop-rate", default=0.0, type=_RATE, help="Share processed, then dropped.")
def serve(
    host: str,
    port: int,
    seed: int,
    no_rate_limits: bool,
    allow_duplicates: bool,
    call_time_scale: float,
    talkturo_webhook_url: str | None,
    fault_route: str,
    latency: float,
    error_rate: float,
    throttle_rate: float,
    drop_rate: float,
    commit_drop_rate: float,
) -> None:
    """Serve the emulator until Ctrl-C and print the base URLs and tokens to use."""
    try:
        from talkkit import emulator as api
        from talkkit.emulator import banner
    except ImportError as exc:
        raise click.ClickException(str(exc)) from exc

    limits = dict.fromkeys(("talkturo", "talkover", "talkory")) if no_rate_limits else None
    try:
        emu = api.Emulator(
            seed=seed,
            rate_limits=limits,
            refuse_duplicates=not allow_duplicates,
            call_time_scale=call_time_scale,
            talkturo_call_webhook_url=talkturo_webhook_url,
        )
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    except ImportError as exc:  # cryptography, to sign Talkturo call webhooks
        raise click.ClickException(str(exc)) from exc
    if latency or error_rate or throttle_rate or drop_rate or commit_drop_rate:
        try:
            rule = api.FaultRule(
                fault_route,
                latency=latency,
                error_rate=error_rate,
                throttle_rate=throttle_rate,
                drop_rate=drop_rate,
                commit_drop_rate=commit_drop_rate,
            )
        except ValueError as exc:
            raise click.UsageError(str(exc)) from exc
        emu.faults.add(rule)
    click.echo(banner(host, port, emu))
    try:
        api.serve(host=host, port=port, emulator=emu)
    except ImportError as exc:
        raise click.ClickException(str(exc)) from exc
