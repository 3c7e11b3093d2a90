"""Every EventBridge event bus of the topology with its archive (`EventBuses`, in the data stack: the
archive is data), and the rules on them (`EventRules`, in the stack of the context that consumes
what they deliver).

- The bus named after the app takes the stage's prefix, lowercased (stage `Dev`: bus
  `shopfloor-dev`), so that each stage in the same account (`Prod`: `shopfloor-prod`)
  has a bus of its own; any other bus is `<prefix>-<bus>` (`bus_physical_name`). The local cloud's
  bus is `shopfloor`, as an app of no stage.
- The archive keeps every event put on the bus by this account (the bus has no resource policy: no
  other account can put one) for the topology's retention, so that a subscriber added later, or one
  that lost events, can be replayed what it missed (`aws events start-replay`, see docs/operations.md).
- Each rule sends the events that match its pattern to its topology queue (an SQS target). What
  EventBridge cannot deliver after its retries (EVENT_TARGET_*) goes to the rule's own dead-letter
  queue, which alarms on its first message. CDK's SqsQueue target lets only this rule send to the
  queue and to the dead-letter queue (a queue policy for events.amazonaws.com with aws:SourceArn).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from constructs import Construct

from infra.constants import (
    EVENT_ARCHIVE_ARN_OUTPUT_SUFFIX,
    EVENT_ARCHIVE_NAME_MAX_LENGTH,
    EVENT_ARCHIVE_NAME_OUTPUT_SUFFIX,
    EVENT_ARCHIVE_SUFFIX,
    EVENT_BUS_ARN_OUTPUT_SUFFIX,
    EVENT_BUS_NAME_OUTPUT_SUFFIX,
    EVENT_RULE_ARN_OUTPUT_SUFFIX,
    EVENT_TARGET_DEAD_LETTER_RETENTION_DAYS,
    EVENT_TARGET_MAX_EVENT_AGE_MINUTES,
    EVENT_TARGET_RETRY_ATTEMPTS,
)
from infra.constructs import nag
from infra.constructs.naming import construct_id, stage_prefix
from infra.constructs.queues import DeadLetterQueue, Queues
from infra.topology import APP_NAME, EVENT_BUSES, QUEUES_BY_NAME, EventBus, Rule


def bus_physical_name(prefix: str, bus: EventBus) -> str:
    """`shopfloor` in stage `Shopfloor-Dev` -> `shopfloor-dev`; in `Shopfloor-Prod` -> `shopfloor-prod`;
    another bus, `analytics` in `Shopfloor-Dev` -> `shopfloor-dev-analytics`."""
    prefix = prefix.lower()
    return prefix if bus.name == APP_NAME.lower() else f"{prefix}-{bus.name}"


def archive_name(bus_name: str) -> str:
    """The archive of a bus (by its physical name): `shopfloor-archive`."""
    name = f"{bus_name}{EVENT_ARCHIVE_SUFFIX}"
    if len(name) > EVENT_ARCHIVE_NAME_MAX_LENGTH:
        raise ValueError(
            f"the archive of event bus {bus_name} would be named {name!r}, longer than the "
            f"{EVENT_ARCHIVE_NAME_MAX_LENGTH} characters EventBridge allows: use a shorter app or stage name"
        )
    return name


def bus_name_output_id(bus: EventBus) -> str:
    """`shopfloor` -> `ShopfloorEventBusName`, the stack output with its physical name."""
    return construct_id(bus.name, EVENT_BUS_NAME_OUTPUT_SUFFIX)


def bus_arn_output_id(bus: EventBus) -> str:
    return construct_id(bus.name, EVENT_BUS_ARN_OUTPUT_SUFFIX)


def archive_name_output_id(bus: EventBus) -> str:
    return construct_id(bus.name, EVENT_ARCHIVE_NAME_OUTPUT_SUFFIX)


def archive_arn_output_id(bus: EventBus) -> str:
    return construct_id(bus.name, EVENT_ARCHIVE_ARN_OUTPUT_SUFFIX)


def rule_arn_output_id(rule: Rule) -> str:
    """`order-emails` -> `OrderEmailsRuleArn`: a replay's FilterArns, to replay to that rule only."""
    return construct_id(rule.name, EVENT_RULE_ARN_OUTPUT_SUFFIX)


class TopologyRule(Construct):
    """A rule as the topology declares it: its pattern, its queue, and a dead-letter queue for what
    EventBridge cannot deliver to that queue."""

    def __init__(
        self, scope: Construct, construct_id_: str, *, rule: Rule, bus: events.EventBus, queues: Queues
    ) -> None:
        super().__init__(scope, construct_id_)
        if rule.queue not in QUEUES_BY_NAME:
            raise ValueError(
                f"rule {rule.name} sends to queue {rule.queue!r}, which the topology does not declare"
            )
        self.dead_letters = DeadLetterQueue(
            self,
            "DeadLetters",
            retention=Duration.days(EVENT_TARGET_DEAD_LETTER_RETENTION_DAYS),
            purpose=f"rule {rule.name}: events EventBridge could not deliver to {rule.queue}",
        )
        nag.acknowledge(
            self.dead_letters.queue,
            nag.QUEUE_WITHOUT_DEAD_LETTER_QUEUE,
            "This queue is itself the dead-letter queue of the rule's EventBridge SQS target; cdk-nag "
            "only recognises SQS redrive policies as dead-letter use.",
        )
        # Named after the topology rule: unique on its bus, which is the stage's own, and a name
        # CloudWatch's metrics (EventBusName, RuleName) and `aws events list-rules` show as such.
        self.rule = events.Rule(
            self,
            "Rule",
            rule_name=rule.name,
            event_bus=bus,
            description=f"{', '.join(rule.detail_types)} from {rule.source} to the {rule.queue} queue.",
            event_pattern=events.EventPattern(source=[rule.source], detail_type=list(rule.detail_types)),
            targets=[
                targets.SqsQueue(
                    queues.by_name[rule.queue].queue,
                    dead_letter_queue=self.dead_letters.queue,
                    retry_attempts=EVENT_TARGET_RETRY_ATTEMPTS,
                    max_event_age=Duration.minutes(EVENT_TARGET_MAX_EVENT_AGE_MINUTES),
                )
            ],
        )


class TopologyEventBus(Construct):
    """A bus as the topology declares it, and its archive of every event."""

    def __init__(
        self, scope: Construct, construct_id_: str, *, bus: EventBus, removal_policy: RemovalPolicy
    ) -> None:
        super().__init__(scope, construct_id_)
        stack = Stack.of(self)
        self.bus = bus
        self.physical_name = bus_physical_name(stage_prefix(self), bus)
        self.event_bus = events.EventBus(
            self, "Bus", event_bus_name=self.physical_name, description=bus.description
        )
        self.archive = events.Archive(
            self,
            "Archive",
            source_event_bus=self.event_bus,
            archive_name=archive_name(self.physical_name),
            description=f"Every event on the {self.physical_name} bus, kept {bus.archive_retention_days} "
            "days to replay to a new or a failed subscriber.",
            # Every event the bus receives: they all come from this account.
            event_pattern=events.EventPattern(account=[stack.account]),
            retention=Duration.days(bus.archive_retention_days),
        )
        # CDK's Archive writes KmsKeyIdentifier "" when it has no key (aws/aws-cdk#37847: `keyArn ||
        # ""`), which some regions refuse. Absent, the archive uses an AWS owned key, as intended.
        archive_resource = self.archive.node.default_child
        assert isinstance(archive_resource, events.CfnArchive)
        archive_resource.add_property_deletion_override("KmsKeyIdentifier")
        # The archive is data (the events to replay): kept where the stage keeps its data.
        self.archive.apply_removal_policy(removal_policy)


class EventBuses(Construct):
    """The buses, by their topology name (`shopfloor`)."""

    def __init__(self, scope: Construct, construct_id_: str, *, removal_policy: RemovalPolicy) -> None:
        super().__init__(scope, construct_id_)
        self.by_name: Mapping[str, TopologyEventBus] = MappingProxyType(
            {
                bus.name: TopologyEventBus(
                    self, construct_id(bus.name), bus=bus, removal_policy=removal_policy
                )
                for bus in EVENT_BUSES
            }
        )

    @property
    def names(self) -> dict[str, str]:
        """Each bus's physical name (a token until deploy time), by topology name: what functions get."""
        return {name: created.event_bus.event_bus_name for name, created in self.by_name.items()}


def rules_to(queues: Iterable[str]) -> list[tuple[EventBus, Rule]]:
    """The rules (with their bus) that deliver to one of `queues`."""
    wanted = set(queues)
    return [(bus, rule) for bus in EVENT_BUSES for rule in bus.rules if rule.queue in wanted]


class EventRules(Construct):
    """The rules that deliver to `queues` (this stack's), by rule name, each on its bus."""

    def __init__(
        self, scope: Construct, construct_id_: str, *, event_buses: EventBuses, queues: Queues
    ) -> None:
        super().__init__(scope, construct_id_)
        # The topology's rules made here, each with its bus, in the topology's order.
        self.declared: tuple[tuple[EventBus, Rule], ...] = tuple(rules_to(queues.by_name))
        self.by_name: Mapping[str, TopologyRule] = MappingProxyType(
            {
                rule.name: TopologyRule(
                    self,
                    construct_id(rule.name),
                    rule=rule,
                    bus=event_buses.by_name[bus.name].event_bus,
                    queues=queues,
                )
                for bus, rule in self.declared
            }
        )
        self.bus_of: Mapping[str, TopologyEventBus] = MappingProxyType(
            {rule.name: event_buses.by_name[bus.name] for bus, rule in self.declared}
        )
