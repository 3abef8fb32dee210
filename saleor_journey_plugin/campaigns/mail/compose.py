"""One campaign email's subject, plain text and HTML, from its templates."""

from dataclasses import dataclass

from .. import templating
from ..kinds import Kind
from ..settings import CampaignSettings, template_field
from .context import Facts, context
from .text import as_text, one_line


@dataclass(frozen=True)
class Composed:
    subject: str
    text: str
    html: str


def compose(campaigns: CampaignSettings, kind: Kind, facts: Facts) -> Composed:
    language = campaigns.language
    variables = context(facts)
    variables["preview"] = one_line(
        templating.render(
            templating.default_template(kind, "preview", language), variables
        )
    )
    subject = one_line(
        templating.render(campaigns.template(kind, "subject"), variables)
    )
    html = templating.render(campaigns.template(kind, "body"), variables)
    if campaigns.templates.get(template_field(kind, "body")):
        # The store's own HTML: its text is that HTML's words.
        text = as_text(html)
    else:
        text = templating.render(
            templating.default_template(kind, "text", language), variables
        )
        text = text.strip() + "\n"
    return Composed(subject=subject, text=text, html=html)
