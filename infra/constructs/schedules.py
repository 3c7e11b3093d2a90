"""EventBridge schedules: every function the topology schedules, invoked at its rate.

A late run is useless (the next one is due within the interval), so an invocation that cannot
happen soon enough is not retried for long: it lands in a dead-letter queue with an alarm, as
does a run that fails, instead of being dropped silently.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from constructs import Construct

from infra.constants import (
    SCHEDULE_DEAD_LETTER_RETENTION_DAYS,
    SCHEDULE_MAX_EVENT_AGE_MINUTES,
    SCHEDULE_RETRY_ATTEMPTS,
    SCHEDULED_RUN_RETRY_ATTEMPTS,
)
from infra.constructs import nag
from infra.constructs.naming import construct_id
from infra.constructs.queues import DeadLetterQueue
from infra.topology import FUNCTIONS, Function


class Schedules(Construct):
    def __init__(
        self, scope: Construct, construct_id_: str, *, functions: Mapping[str, lambda_.IFunction]
    ) -> None:
        super().__init__(scope, construct_id_)
        self.by_name: Mapping[str, Schedule] = {
            function.name: Schedule(
                self, construct_id(function.name), function=function, target=functions[function.name]
            )
            for function in FUNCTIONS
            if function.schedule_minutes is not None and function.name in functions
        }


class Schedule(Construct):
    """A rule at `rate(N minutes)` invoking one function, with a dead-letter queue for both sides."""

    def __init__(
        self, scope: Construct, construct_id_: str, *, function: Function, target: lambda_.IFunction
    ) -> None:
        super().__init__(scope, construct_id_)
        if function.schedule_minutes is None:
            raise ValueError(f"{function.name} declares no schedule")
        max_event_age = Duration.minutes(SCHEDULE_MAX_EVENT_AGE_MINUTES)
        self.dead_letters = DeadLetterQueue(
            self,
            "DeadLetters",
            retention=Duration.days(SCHEDULE_DEAD_LETTER_RETENTION_DAYS),
            purpose=f"{function.name}: a scheduled run was not delivered or failed",
        )
        self.rule = events.Rule(
            self,
            "Rule",
            description=f"Invokes {function.name} every {function.schedule_minutes} minute(s).",
            schedule=events.Schedule.rate(Duration.minutes(function.schedule_minutes)),
            targets=[
                targets.LambdaFunction(
                    target,
                    retry_attempts=SCHEDULE_RETRY_ATTEMPTS,
                    max_event_age=max_event_age,
                    dead_letter_queue=self.dead_letters.queue,
                )
            ],
        )
        # EventBridge invokes asynchronously: Lambda's own retries of a failed run are bounded too
        # (on what the rule invokes: a live alias has its own asynchronous settings).
        target.configure_async_invoke(
            retry_attempts=SCHEDULED_RUN_RETRY_ATTEMPTS,
            max_event_age=max_event_age,
            on_failure=destinations.SqsDestination(self.dead_letters.queue),
        )
        nag.acknowledge(
            self.dead_letters.queue,
            nag.QUEUE_WITHOUT_DEAD_LETTER_QUEUE,
            "This queue is itself the dead-letter queue of the schedule's EventBridge target and the "
            "failure destination of the function's asynchronous runs; cdk-nag only recognises SQS "
            "redrive policies as dead-letter use.",
        )
