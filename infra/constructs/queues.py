"""Every SQS queue of the topology, each with a dead-letter queue that raises an alarm.

Nothing leaves an asynchronous path silently: a message that keeps failing ends in a
dead-letter queue, and one message there is enough to alarm.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.constants import DEAD_LETTER_ALARM_PERIOD_MINUTES, DEAD_LETTER_ALARM_THRESHOLD
from infra.constructs.naming import construct_id
from infra.topology import QUEUES, Queue


class DeadLetterQueue(Construct):
    """A queue where failed messages or events wait for an operator, and its alarm."""

    def __init__(self, scope: Construct, construct_id_: str, *, retention: Duration, purpose: str) -> None:
        super().__init__(scope, construct_id_)
        self.queue = sqs.Queue(
            self,
            "Queue",
            retention_period=retention,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
        self.alarm = cloudwatch.Alarm(
            self,
            "Alarm",
            alarm_description=f"{purpose}: at least one message is waiting in the dead-letter queue.",
            metric=self.queue.metric_approximate_number_of_messages_visible(
                period=Duration.minutes(DEAD_LETTER_ALARM_PERIOD_MINUTES),
                statistic=cloudwatch.Stats.MAXIMUM,
            ),
            threshold=DEAD_LETTER_ALARM_THRESHOLD,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            evaluation_periods=1,
            datapoints_to_alarm=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )


class TopologyQueue(Construct):
    """A queue as the topology declares it: its visibility timeout, and a redrive to its DLQ."""

    def __init__(self, scope: Construct, construct_id_: str, *, queue: Queue) -> None:
        super().__init__(scope, construct_id_)
        self.dead_letters = DeadLetterQueue(
            self,
            "DeadLetters",
            retention=Duration.days(queue.dlq_retention_days),
            purpose=f"{queue.name}: messages failed {queue.max_receive_count} receives",
        )
        self.queue = sqs.Queue(
            self,
            "Queue",
            visibility_timeout=Duration.seconds(queue.visibility_timeout_seconds),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            dead_letter_queue=sqs.DeadLetterQueue(
                queue=self.dead_letters.queue, max_receive_count=queue.max_receive_count
            ),
        )


class Queues(Construct):
    """The queues (every one of the topology, or `queues`), by their topology name (`offers-sync`, ...)."""

    def __init__(self, scope: Construct, construct_id_: str, *, queues: Sequence[Queue] = QUEUES) -> None:
        super().__init__(scope, construct_id_)
        self.by_name: Mapping[str, TopologyQueue] = MappingProxyType(
            {queue.name: TopologyQueue(self, construct_id(queue.name), queue=queue) for queue in queues}
        )

    @property
    def urls(self) -> dict[str, str]:
        """Each queue's URL (a token until deploy time), by topology name."""
        return {name: queue.queue.queue_url for name, queue in self.by_name.items()}
