"""One campaign email's subject, plain text and HTML, from its templates."""

from dataclasses import dataclass

from .. import templating
from ..kinds import CampaignKind
from ..settings import CampaignSettings
from .context import Facts, context
from .text import as_text, one_line


@dataclass(frozen=True)
class Composed:
    subject: str
    text: str
    html: str


def compose(campaigns: CampaignSettings, kind: CampaignKind, facts: Facts) -> Composed:
    language = campaigns.language
    variables = context(facts)
    variables["preview"] = one_line(
        templating.render(kind.template("preview", language), variables)
    )
    subject = one_line(
        templating.render(campaigns.template(kind, "subject"), variables)
    )
    html = templating.render(campaigns.template(kind, "body"), variables)
    if campaigns.templates.get(kind.template_field("body")):
        # The store's own HTML: its text is that HTML's words.
        text = as_text(html)
    else:
        text = templating.render(kind.template("text", language), variables)
        text = text.strip() + "\n"
    return Composed(subject=subject, text=text, html=html)
