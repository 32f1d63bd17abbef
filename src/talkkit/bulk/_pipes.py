"""
The engine's hand-offs: reading the input as numbered items, and moving outcomes to the consumer.

anyio's ``send`` and ``receive`` yield to the event loop on every call, even when the item can
move at once; `put` and `take` yield only when they have to wait (the producer's and the
workers' hand-offs keep their yields: see the engine's ``_dispatch`` and ``_worker``).
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Iterable
from typing import Any, Generic, TypeVar

import anyio
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

__all__ = ["Taken", "batches", "enumerate_items", "put", "take"]

T = TypeVar("T")


async def put(stream: MemoryObjectSendStream[T], item: T) -> None:
    """Send ``item``, yielding only when the stream is full."""
    try:
        stream.send_nowait(item)
    except anyio.WouldBlock:
        await stream.send(item)


async def take(stream: MemoryObjectReceiveStream[T]) -> T:
    """The next item; raises `anyio.EndOfStream` when every sender is closed and it is empty."""
    try:
        item = stream.receive_nowait()
    except anyio.WouldBlock:
        return await stream.receive()
    return item


class Taken(Generic[T]):
    """
    A receive stream as an async iterator that yields to the event loop only when it waits
    (`take`): ``async for`` over the stream itself yields once per item, which lets a consumer
    take one item per turn of the loop however many are queued (measured: the CLI's import
    ran at a third of its rate; the workers' turn per item set off a garbage collection every
    13 rows). A cancellation is noticed whenever it waits, and at every `CHECK_EVERY`-th item
    in between (asking anyio at every item cost more than the rest of the hand-off).
    """

    __slots__ = ("_stream", "_taken")

    CHECK_EVERY = 16

    def __init__(self, stream: MemoryObjectReceiveStream[T]) -> None:
        self._stream = stream
        self._taken = 0

    def __aiter__(self) -> Taken[T]:
        return self

    async def __anext__(self) -> T:
        self._taken += 1
        if self._taken % self.CHECK_EVERY == 0:
            await anyio.lowlevel.checkpoint_if_cancelled()  # (no yield unless cancelled)
        try:
            return await take(self._stream)
        except anyio.EndOfStream:
            raise StopAsyncIteration from None


async def batches(receive: MemoryObjectReceiveStream[T], most: int) -> AsyncIterator[list[T]]:
    """
    What is sent to ``receive``, in lists of at most ``most``: each waits for its first item,
    then takes whatever is already queued (a journal's group commit). Ends with the stream.
    """
    while True:
        try:
            batch = [await receive.receive()]
        except anyio.EndOfStream:
            return
        while len(batch) < most:
            try:
                batch.append(receive.receive_nowait())
            except (anyio.WouldBlock, anyio.EndOfStream):
                break
        yield batch


async def enumerate_items(
    items: Iterable[Any] | AsyncIterable[Any], every: int
) -> AsyncIterator[tuple[int, Any]]:
    """
    ``(position, item)`` of any iterable or async iterable; a plain iterable yields to the
    event loop every ``every`` items, so a huge input does not starve the workers.
    """
    index = 0
    if isinstance(items, AsyncIterable):
        iterator = aiter(items)
        try:
            async for raw in iterator:
                yield index, raw
                index += 1
        finally:
            close = getattr(iterator, "aclose", None)
            if close is not None:  # the caller's async generator: close it now, not in GC
                with anyio.CancelScope(shield=True):
                    await close()
        return
    for raw in items:
        yield index, raw
        index += 1
        if index % every == 0:
            await anyio.lowlevel.checkpoint()
