"""A producer with aiokafka's AIOKafkaProducer interface that records instead of sending, and
a watch on the commits of the sessions a session factory hands out."""

from collections.abc import Callable
from dataclasses import dataclass

from aiokafka.structs import RecordMetadata, TopicPartition
from sqlalchemy import event


@dataclass
class Sent:
    topic: str
    value: object
    key: object
    observed: object = None  # what the producer's `observe()` answered at send time


class FakeProducer:
    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self.error: BaseException | None = None  # raised by send_and_wait when set
        self.started = self.stopped = False
        self.observe: Callable[[], object] | None = None  # called at every send, before anything

    async def start(self) -> None:
        self.started = True

    async def stop(self) -> None:
        self.stopped = True

    async def send_and_wait(
        self, topic, value=None, key=None, partition=None, timestamp_ms=None, headers=None
    ) -> RecordMetadata:
        # A send that fails may still have reached the broker (a timeout after the write):
        # the fake records every message it was given, then raises when told to.
        observed = self.observe() if self.observe is not None else None
        self.sent.append(Sent(topic, value, key, observed))
        if self.error is not None:
            raise self.error
        offset = len(self.sent) - 1
        return RecordMetadata(topic, 0, TopicPartition(topic, 0), offset, -1, 0, 0)


class CommitWatch:
    """Counts the commits that wrote something, of every session ``sessions`` hands out.

    A session that flushed (or executed an INSERT, UPDATE or DELETE) since its last commit or
    rollback and then commits counts once; a commit with nothing written does not count.
    """

    def __init__(self, sessions) -> None:
        self.writes_committed = 0
        event.listen(sessions, "after_flush", self._wrote)
        event.listen(sessions, "do_orm_execute", self._executed)
        event.listen(sessions, "after_commit", self._committed)
        event.listen(sessions, "after_rollback", self._rolled_back)

    @staticmethod
    def _wrote(session, _context) -> None:
        session.info["wrote"] = True

    @staticmethod
    def _executed(state) -> None:
        if state.is_insert or state.is_update or state.is_delete:
            state.session.info["wrote"] = True

    def _committed(self, session) -> None:
        if session.info.pop("wrote", False):
            self.writes_committed += 1

    @staticmethod
    def _rolled_back(session) -> None:
        session.info.pop("wrote", None)
