"""Who shops: kinds of shoppers, how they identify themselves, and their names."""

import random
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from saleor_journey_plugin.core.events import TouchChannel

from .catalog import CHANNEL_WEIGHTS


@dataclass(frozen=True)
class Persona:
    """How a kind of shopper behaves; probabilities are per session or per order."""

    name: str
    weight: float
    bounce: float  # leaves without looking at a product
    checkout: float  # starts a checkout in a session
    buy: float  # completes a started checkout
    come_back: float  # returns after a session without an order
    come_back_days: float
    reorder: float  # returns after an order
    reorder_days: float


PERSONAS: tuple[Persona, ...] = (
    Persona("window shopper", 0.30, 0.45, 0.08, 0.20, 0.35, 12, 0.20, 45),
    Persona("comparer", 0.25, 0.15, 0.45, 0.35, 0.60, 8, 0.30, 45),
    Persona("one-off buyer", 0.25, 0.10, 0.70, 0.75, 0.50, 6, 0.12, 80),
    Persona("regular", 0.20, 0.05, 0.75, 0.85, 0.70, 7, 0.85, 24),
)


class Plan(StrEnum):
    """How a shopper identifies themselves over time."""

    GUEST = "guest"  # checks out as a guest, never registers
    MEMBER = "member"  # signs up on the first visit
    REGISTERS_LATER = "registers later"  # guest first, then an account, same email
    CHANGES_EMAIL = "changes email"  # guest address A, account B, then B -> A


PLAN_WEIGHTS = {
    Plan.GUEST: 0.50,
    Plan.MEMBER: 0.30,
    Plan.REGISTERS_LATER: 0.15,
    Plan.CHANGES_EMAIL: 0.05,
}
# Plans whose shoppers start as guests and open an account later.
REGISTERING_LATER = (Plan.REGISTERS_LATER, Plan.CHANGES_EMAIL)


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_NAMES = _words(
    "olivia liam emma noah ava elijah sophia lucas mia mason amelia ethan harper "
    "logan ella james chloe aiden grace henry zoe jack lily owen nora leo"
)
LAST_NAMES = _words(
    "smith johnson brown garcia miller davis wilson moore taylor clark lewis walker "
    "young allen king wright scott green baker adams nelson hill"
)
KOREAN_NAMES = _words(
    "minjun seoyeon jiho haeun doyun jiwoo seojun sua yejun hayoon jimin "
    "eunwoo chaewon siwoo yuna junho dahye hyunwoo"
)
KOREAN_SURNAMES = _words("kim lee park choi jung kang cho yoon jang lim")


@dataclass
class Shopper:
    number: int
    channel: str
    persona: Persona
    plan: Plan
    guest_email: str  # what they type at a guest checkout
    signup_email: str  # what they type when they register
    touch: TouchChannel
    user_id: str = ""
    account_email: str = ""
    newsletter: bool = False
    sessions: int = 0
    orders: int = 0
    sessions_since_signup: int = 0
    switched_email: bool = False  # the account took the guest address
    # Orders placed before registering: the store links them to the account
    # once it proves the guest address; with none, it links nothing.
    guest_orders: int = 0

    def identity(self) -> dict[str, str]:
        if self.user_id:
            return {"user_id": self.user_id, "email": self.account_email}
        return {"user_id": "", "email": self.guest_email}


def new_shopper(rng: random.Random, number: int) -> Shopper:
    """Shopper ``number``: channel, persona, plan, name and the addresses typed."""
    channel = _weighted(rng, CHANNEL_WEIGHTS)
    persona = rng.choices(PERSONAS, weights=[p.weight for p in PERSONAS])[0]
    plan = _weighted(rng, PLAN_WEIGHTS)
    if channel == "web-krw":
        first, last, domain = (
            rng.choice(KOREAN_NAMES),
            rng.choice(KOREAN_SURNAMES),
            "example.kr",
        )
    else:
        first, last, domain = (
            rng.choice(FIRST_NAMES),
            rng.choice(LAST_NAMES),
            "example.com",
        )
    email = f"{first}.{last}{number}@{domain}"
    signup_email = email
    if plan is Plan.REGISTERS_LATER:
        # The same address, typed differently at sign-up.
        signup_email = rng.choice(
            (
                f"  {email}",
                email.upper(),
                f"{email.title()} ",
                f"{first.title()}.{email[len(first) + 1 :]}",
            )
        )
    elif plan is Plan.CHANGES_EMAIL:
        signup_email = f"{first[0]}{last}{number}@work.example.org"
    return Shopper(
        number=number,
        channel=channel,
        persona=persona,
        plan=plan,
        guest_email=email,
        signup_email=signup_email,
        touch=TouchChannel.APP if rng.random() < 0.15 else TouchChannel.WEB,
    )


def _weighted(rng: random.Random, weights: dict[Any, float]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]
