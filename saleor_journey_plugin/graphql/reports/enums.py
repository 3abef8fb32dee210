import graphene

CANONICAL = "CANONICAL"
PRESET = "PRESET"

JourneyFunnelViewEnum = graphene.Enum(
    "JourneyFunnelView",
    [(CANONICAL, CANONICAL), (PRESET, PRESET)],
    description="CANONICAL: one step per stage; PRESET: one per preset label.",
)
JourneyIntervalEnum = graphene.Enum(
    "JourneyInterval",
    [("DAY", "DAY"), ("WEEK", "WEEK"), ("MONTH", "MONTH")],
    description="Calendar days, weeks from Monday, or months.",
)
