"""The types of ``journeyReport``: the store reports, as ``docs/kpis.md`` defines them.

Rates are Decimal fractions from 0 to 1 at full precision (null when their
denominator is 0), money is an exact Decimal amount with its currency, and
durations are seconds.
"""

import graphene
from graphene.types.datetime import Date

from ...reports.cohorts import DEFAULT_MONTHS, MAX_MONTHS
from ...reports.journey_map import DEFAULT_TOP, MAX_TOP
from ..campaigns.enums import CampaignKindEnum
from ..enums import JourneyLanguageEnum, JourneyStageEnum
from . import resolvers
from .enums import CANONICAL, JourneyFunnelViewEnum, JourneyIntervalEnum


def _rate(description: str = "") -> graphene.Decimal:
    return graphene.Decimal(description=description or None)


def _stages():
    return graphene.NonNull(graphene.List(graphene.NonNull(JourneyStageEnum)))


def _list_of(kind, description: str | None = None):
    return graphene.NonNull(
        graphene.List(graphene.NonNull(kind)), description=description
    )


class JourneyMoney(graphene.ObjectType):
    amount = graphene.Decimal(
        required=True, description="Exact, in the currency's decimal places."
    )
    currency = graphene.String(required=True, description="ISO 4217 code.")


class JourneyKpis(graphene.ObjectType):
    active_customers = graphene.Int(
        required=True, description="Customers with a touchpoint in the period."
    )
    checkouts_started = graphene.Int(
        required=True, description="Checkouts whose first line was added."
    )
    checkouts_converted = graphene.Int(
        required=True, description="Of those, how many became an order (ever)."
    )
    cart_abandonment_rate = _rate("1 - checkoutsConverted / checkoutsStarted.")
    orders = graphene.Int(
        required=True, description="Orders placed, cancelled ones included."
    )
    buyers = graphene.Int(required=True, description="Customers who placed them.")
    conversion_rate = _rate("buyers / activeCustomers.")
    revenue = graphene.Field(
        JourneyMoney,
        description="Gross sales minus the refunds recorded in the period, partial "
        "ones by what they gave back; null without currency.",
    )
    average_order_value = graphene.Field(
        JourneyMoney, description="Gross sales / orders not cancelled."
    )
    returning_customer_rate = _rate("Buyers who had ordered before / buyers.")
    repeat_purchase_rate = _rate(
        "Customers with 2+ orders / with 1+, ever to the period's end."
    )
    average_customer_value = graphene.Field(
        JourneyMoney, description="All-time revenue / customers who ever ordered."
    )
    reviews = graphene.Int(required=True)
    csat = _rate("Reviews rated 4 or 5 / all reviews.")
    lapsed_customers = graphene.Int(
        required=True, description="Stage changes into LAPSED."
    )
    win_backs = graphene.Int(required=True)


class JourneyFunnelStep(graphene.ObjectType):
    label = graphene.String(
        required=True,
        description="The stage's label (standard preset) in CANONICAL view, the "
        "preset's label in PRESET view; in the requested language.",
    )
    stages = _stages()
    customers = graphene.Int(
        required=True, description="Customers who reached the step."
    )
    conversion_from_previous = _rate()
    conversion_from_first = _rate()
    drop_off = graphene.Int(required=True)
    median_seconds_from_previous = graphene.Float()


class JourneyFunnel(graphene.ObjectType):
    view = graphene.Field(JourneyFunnelViewEnum, required=True)
    entered = graphene.Int(
        required=True,
        description="Customers whose first stage change is in the period.",
    )
    steps = _list_of(JourneyFunnelStep)


class JourneyStageTime(graphene.ObjectType):
    stage = graphene.Field(JourneyStageEnum, required=True)
    label = graphene.String(
        required=True, description="The channel preset's label, channel's language."
    )
    left = graphene.Int(
        required=True, description="Stage changes out of the stage in the period."
    )
    median_seconds = graphene.Float()
    p90_seconds = graphene.Float()
    current = graphene.Int(
        required=True, description="Journeys in the stage at the end of the period."
    )
    current_median_age_seconds = graphene.Float()


class JourneyTimeInStage(graphene.ObjectType):
    stages = _list_of(JourneyStageTime)


class JourneyCohortCell(graphene.ObjectType):
    k = graphene.Int(required=True, description="Months after the cohort's (0: it).")
    customers = graphene.Int(description="Null for a month after the period.")
    share = graphene.Decimal()


class JourneyCohort(graphene.ObjectType):
    month = Date(required=True, description="First day of the first-order month.")
    customers = graphene.Int(required=True)
    cells = _list_of(JourneyCohortCell)


class JourneyCohorts(graphene.ObjectType):
    months = graphene.Int(required=True)
    cohorts = _list_of(JourneyCohort)


class JourneyCount(graphene.ObjectType):
    key = graphene.String(required=True)
    count = graphene.Int(required=True)


class JourneyEmotions(graphene.ObjectType):
    positive = graphene.Int(required=True)
    neutral = graphene.Int(required=True)
    negative = graphene.Int(required=True)


class JourneyMapStage(graphene.ObjectType):
    stage = graphene.Field(
        JourneyStageEnum, description="Null: touchpoints before any stage."
    )
    label = graphene.String(description="The channel preset's label.")
    touchpoints = graphene.Int(required=True)
    by_type = _list_of(JourneyCount, "Per event type.")
    by_touch_channel = _list_of(JourneyCount, "Per touch channel, zeros included.")
    top_utm_sources = _list_of(JourneyCount)
    top_utm_campaigns = _list_of(JourneyCount)
    pain_points = _list_of(JourneyCount, "Per kind (event type).")
    emotions = graphene.Field(JourneyEmotions, required=True)


class JourneyMap(graphene.ObjectType):
    stages = _list_of(JourneyMapStage)


class JourneyBucket(graphene.ObjectType):
    start = Date(required=True)
    end = Date(required=True, description="The first day after the bucket.")
    active_customers = graphene.Int(required=True)
    checkouts_started = graphene.Int(required=True)
    orders = graphene.Int(required=True)
    buyers = graphene.Int(required=True)
    revenue = graphene.Field(JourneyMoney)


class JourneySeries(graphene.ObjectType):
    interval = graphene.Field(JourneyIntervalEnum, required=True)
    buckets = _list_of(JourneyBucket)


class JourneyCampaignFigures(graphene.ObjectType):
    sent = graphene.Int(required=True, description="Emails sent in the period.")
    clicked = graphene.Int(
        required=True, description="Emails clicked in the period (once each)."
    )
    reminded_checkouts = graphene.Int(
        required=True,
        description="Distinct checkouts an abandoned-checkout email was sent "
        "about in the period.",
    )
    recovered_checkouts = graphene.Int(
        required=True,
        description="Distinct reminded checkouts recovered by an order placed "
        "in the period.",
    )
    recovered_orders = graphene.Int(
        required=True,
        description="Orders placed in the period that an email recovered "
        "(last touch), cancelled ones included.",
    )
    recovered_revenue = graphene.Field(
        JourneyMoney,
        description="Their gross totals, leaving out orders cancelled or fully "
        "refunded by the period's end; null without currency.",
    )
    recovery_rate = _rate("recoveredCheckouts / remindedCheckouts.")
    discount_cost = graphene.Field(
        JourneyMoney,
        description="The discount of the campaign coupons those orders used.",
    )
    roi = graphene.Decimal(
        description="(recoveredRevenue - discountCost) / discountCost; null "
        "without a cost."
    )


class JourneyCampaignStep(graphene.ObjectType):
    step = graphene.Int(required=True, description="1 for the first email.")
    totals = graphene.Field(JourneyCampaignFigures, required=True)


class JourneyCampaign(graphene.ObjectType):
    kind = graphene.Field(CampaignKindEnum, required=True)
    totals = graphene.Field(JourneyCampaignFigures, required=True)
    steps = _list_of(JourneyCampaignStep, "The configured steps, and older ones.")


class JourneyCampaigns(graphene.ObjectType):
    totals = graphene.Field(JourneyCampaignFigures, required=True)
    kinds = _list_of(JourneyCampaign, "Abandoned checkout, win-back, review request.")


class JourneyLoyaltyTier(graphene.ObjectType):
    name = graphene.String(required=True)
    threshold = graphene.Int(
        required=True, description="Points earned in 365 days the tier starts at."
    )
    members = graphene.Int(
        required=True, description="Members in the tier at the end of the period."
    )


class JourneyLoyalty(graphene.ObjectType):
    issued = graphene.Int(
        required=True, description="Points earned, and added by staff, in the period."
    )
    redeemed = graphene.Int(
        required=True, description="Points turned into voucher codes."
    )
    expired = graphene.Int(required=True, description="Points that expired.")
    reversed = graphene.Int(
        required=True,
        description="Points refunds took back, and staff removed.",
    )
    outstanding = graphene.Int(
        required=True, description="Unspent points at the end of the period."
    )
    outstanding_value = graphene.Field(
        JourneyMoney,
        description="Their worth at the point value (the liability); null "
        "without currency.",
    )
    redemption_rate = _rate("redeemed / issued.")
    members = graphene.Int(
        required=True,
        description="Customers with points activity before the end of the period.",
    )
    tiers = _list_of(JourneyLoyaltyTier, "Every tier, in threshold order.")


def _language_arg():
    return JourneyLanguageEnum(
        description="Language of the labels; the channel's language when omitted."
    )


class JourneyReport(graphene.ObjectType):
    """Each report field is computed only when the query selects it."""

    channel = graphene.String(required=True)
    from_ = Date(required=True, name="from", description="The first day.")
    to = Date(required=True, description="The first day after the period.")
    time_zone = graphene.String(required=True, description="The channel's.")
    currency = graphene.String(
        description="The channel's; null when unknown and no order was recorded."
    )
    preset = graphene.String(required=True, description="The channel's stage preset.")
    language = graphene.Field(
        JourneyLanguageEnum, required=True, description="The channel's label language."
    )
    kpis = graphene.Field(JourneyKpis, required=True)
    funnel = graphene.Field(
        JourneyFunnel,
        required=True,
        view=JourneyFunnelViewEnum(default_value=CANONICAL),
        language=_language_arg(),
    )
    time_in_stage = graphene.Field(JourneyTimeInStage, required=True)
    cohorts = graphene.Field(
        JourneyCohorts,
        required=True,
        months=graphene.Int(
            default_value=DEFAULT_MONTHS, description=f"1 to {MAX_MONTHS}."
        ),
    )
    map = graphene.Field(
        JourneyMap,
        required=True,
        top=graphene.Int(
            default_value=DEFAULT_TOP,
            description=f"UTM sources and campaigns per stage, 1 to {MAX_TOP}.",
        ),
        language=_language_arg(),
    )
    series = graphene.Field(
        JourneySeries,
        required=True,
        interval=JourneyIntervalEnum(default_value="DAY"),
    )
    campaigns = graphene.Field(
        JourneyCampaigns,
        required=True,
        description="What the campaign emails sent, and the orders they recovered.",
    )
    loyalty = graphene.Field(
        JourneyLoyalty,
        required=True,
        description="Points in and out, and what is owed at the period's end.",
    )

    @staticmethod
    def resolve_from_(root, info):
        return root.period.start

    @staticmethod
    def resolve_to(root, info):
        return root.period.end

    @staticmethod
    def resolve_time_zone(root, info):
        return root.period.time_zone

    @staticmethod
    def resolve_currency(root, info):
        return resolvers.resolve_currency(root)

    @staticmethod
    def resolve_preset(root, info):
        return root.settings.preset

    @staticmethod
    def resolve_language(root, info):
        return root.settings.language.value

    @staticmethod
    def resolve_kpis(root, info):
        return resolvers.resolve_kpis(info, root)

    @staticmethod
    def resolve_funnel(root, info, view, language=None):
        return resolvers.resolve_funnel(info, root, view, language)

    @staticmethod
    def resolve_time_in_stage(root, info):
        return resolvers.resolve_time_in_stage(info, root)

    @staticmethod
    def resolve_cohorts(root, info, months):
        return resolvers.resolve_cohorts(info, root, months)

    @staticmethod
    def resolve_map(root, info, top, language=None):
        return resolvers.resolve_map(info, root, top, language)

    @staticmethod
    def resolve_series(root, info, interval):
        return resolvers.resolve_series(info, root, interval)

    @staticmethod
    def resolve_campaigns(root, info):
        return resolvers.resolve_campaigns(info, root)

    @staticmethod
    def resolve_loyalty(root, info):
        return resolvers.resolve_loyalty(info, root)
