"""Delivery adapters the worker calls: each channel is `send(message, config)`, which returns
when the message was accepted and raises DeliveryFailed otherwise. Nothing here decides who
hears what (that is domain/notify) or touches the database."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Outgoing:
    """One message for one recipient on one channel, already in the recipient's language."""

    title: str
    body: str
    url: str  # absolute link to the page to open
    tag: str  # the outbox dedupe key: the same for every retry of the same message
    urgent: bool = False
    address: dict = field(default_factory=dict)  # channel-specific: see each channel


class DeliveryFailed(Exception):
    """The channel could not deliver. retry=False: trying again cannot help (bad settings,
    refused by the provider). gone=True: the address no longer exists (a push subscription the
    push service forgot) and must be ended."""

    def __init__(self, reason: str, *, retry: bool = True, gone: bool = False):
        super().__init__(reason)
        self.reason, self.retry, self.gone = reason, retry, gone
