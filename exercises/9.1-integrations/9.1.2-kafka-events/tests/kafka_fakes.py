"""A producer with aiokafka's AIOKafkaProducer interface that records instead of sending."""

from dataclasses import dataclass

from aiokafka.structs import RecordMetadata, TopicPartition


@dataclass
class Sent:
    topic: str
    value: object
    key: object


class FakeProducer:
    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self.error: BaseException | None = None  # raised by send_and_wait when set
        self.started = self.stopped = False

    async def start(self) -> None:
        self.started = True

    async def stop(self) -> None:
        self.stopped = True

    async def send_and_wait(
        self, topic, value=None, key=None, partition=None, timestamp_ms=None, headers=None
    ) -> RecordMetadata:
        # A send that fails may still have reached the broker (a timeout after the write):
        # the fake records every message it was given, then raises when told to.
        self.sent.append(Sent(topic, value, key))
        if self.error is not None:
            raise self.error
        offset = len(self.sent) - 1
        return RecordMetadata(topic, 0, TopicPartition(topic, 0), offset, -1, 0, 0)
