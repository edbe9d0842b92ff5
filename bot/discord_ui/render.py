"""Domain values to embeds and views. No I/O; everything here fits Discord's limits."""

from __future__ import annotations

import re
from collections.abc import Sequence

import discord

from bot.discord_ui import ids
from bot.domain.models import GuildConfig, Posting, ReportSummary
from bot.domain.ports import RevealSummary
from bot.domain.questions import OPTION_LETTERS, Kind, Question
from bot.domain.schedule import format_weekdays
from bot.domain.taxonomy import Taxonomy
from bot.services.answers import MyResult
from bot.services.usage import UsageReport

LETTERS = OPTION_LETTERS
DIFFICULTY = {1: "warm-up", 2: "interview", 3: "senior"}
COLOUR = discord.Colour.from_rgb(88, 101, 242)


def member_name(interaction: discord.Interaction) -> str:
    """The clicking member's server display name, falling back to the account name."""
    return getattr(interaction.user, "display_name", None) or interaction.user.name


def safe(text: str, limit: int) -> str:
    """Member text made inert for display: mentions escaped, markdown kept, clipped."""
    cleaned = discord.utils.escape_mentions(text)
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


_LIST_ITEM = re.compile(r"^\s*([-*•]|\d+[.)])\s")


def reflow(text: str) -> str:
    """Join the hard-wrapped lines of bank text into paragraphs for Discord.

    Bank files wrap prose at about 90 columns; Discord would show those breaks.
    Blank lines, list items and fenced code keep their line structure.
    """
    out: list[str] = []
    in_code = False
    for line in text.strip().split("\n"):
        fence = line.strip().startswith("```")
        previous = out[-1].strip() if out else ""
        starts_block = not line.strip() or _LIST_ITEM.match(line) or fence
        if in_code or starts_block or not previous or previous.startswith("```"):
            out.append(line)
        else:
            out[-1] = f"{out[-1].rstrip()} {line.strip()}"
        in_code ^= fence
    return "\n".join(out)


def ranked_top(top: Sequence[tuple[str, float]]) -> list[str]:
    """ "1. name · 20 pts" lines where equal points share a rank (1, 1, 3)."""
    lines, rank = [], 0
    for position, (name, points) in enumerate(top, 1):
        if position == 1 or points != top[position - 2][1]:
            rank = position
        lines.append(f"{rank}. {safe(name, 40)} · {points:g} pts")
    return lines


def topic_name(taxonomy: Taxonomy, topic_id: str) -> str:
    topic = taxonomy.topic(topic_id)
    return topic.name if topic else topic_id


def question_embed(posting: Posting, question: Question, taxonomy: Taxonomy) -> discord.Embed:
    embed = discord.Embed(
        title=f"Daily question · {taxonomy.round_name(question.round)}",
        description=reflow(question.prompt),
        colour=COLOUR,
    )
    if question.kind is Kind.CHOICE:
        lines = [f"**{LETTERS[i]}.** {option.text}" for i, option in enumerate(question.options)]
        embed.add_field(name="Options", value="\n".join(lines), inline=False)
    embed.add_field(name="Topic", value=topic_name(taxonomy, question.topic))
    embed.add_field(
        name="Difficulty", value=f"{question.difficulty} · {DIFFICULTY[question.difficulty]}"
    )
    embed.add_field(name="Plan day", value=str(posting.cohort_day) if posting.cohort_day else "—")
    embed.add_field(
        name="Closes", value=discord.utils.format_dt(posting.closes_at, "R"), inline=False
    )
    embed.set_footer(
        text=f"{question.id} · posting {posting.id} · answers stay private until the reveal"
    )
    return embed


def static_view() -> discord.ui.View:
    """A view that only carries components: its clicks are answered by DynamicItems.

    It is stopped before it is sent, so discord.py does not keep it in its view
    store: one stored view per posted question or ephemeral reply would grow the
    store by a thousand views a day and make every click look them up.
    """
    view = discord.ui.View(timeout=None)
    view.stop()
    return view


def question_view(
    posting: Posting, question: Question, *, disabled: bool = False
) -> discord.ui.View:
    """Plain buttons whose ids the registered DynamicItems answer, even after a restart."""
    view = discord.ui.View(timeout=None)
    if question.kind is Kind.CHOICE:
        for index, _ in enumerate(question.options):
            view.add_item(
                discord.ui.Button(
                    label=LETTERS[index],
                    style=discord.ButtonStyle.secondary,
                    custom_id=ids.choice(posting.id, index),
                    disabled=disabled,
                )
            )
    else:
        view.add_item(
            discord.ui.Button(
                label="Answer",
                style=discord.ButtonStyle.primary,
                custom_id=ids.open_answer(posting.id),
                disabled=disabled,
            )
        )
    return view


def confidence_view(posting_id: int) -> discord.ui.View:
    view = static_view()
    for level, label in (("sure", "Sure"), ("unsure", "Unsure"), ("guess", "A guess")):
        view.add_item(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=ids.confidence(posting_id, level),
            )
        )
    return view


def reveal_embed(summary: RevealSummary, taxonomy: Taxonomy) -> discord.Embed:
    question = summary.question
    embed = discord.Embed(
        title=f"Answer · {topic_name(taxonomy, question.topic)}",
        colour=discord.Colour.green(),
    )
    if question.kind is Kind.CHOICE:
        right = question.correct_index
        answer = f"**{LETTERS[right]}. {question.options[right].text}**"
        embed.description = f"{answer}\n\n{reflow(question.explanation)}"
        total = max(summary.participants, 1)
        bars = []
        for index, count in enumerate(summary.choice_counts):
            mark = " ✓" if index == right else ""
            bars.append(f"`{LETTERS[index]}` {_bar(count / total)} {count}{mark}")
        embed.add_field(name="How the group answered", value="\n".join(bars) or "—", inline=False)
    else:
        embed.description = reflow(question.explanation)
        points = "\n".join(f"• {p.point}" for p in question.rubric)
        embed.add_field(name="What a full answer covers", value=safe(points, 1024), inline=False)
        embed.add_field(name="Group's average credit", value=f"{summary.mean_credit:.0%}")
    embed.add_field(name="Took part", value=str(summary.participants))
    if summary.top:
        embed.add_field(name="Top today", value="\n".join(ranked_top(summary.top)), inline=False)
    embed.set_footer(text=f"{question.id} · posting {summary.posting.id}")
    return embed


def _bar(share: float, width: int = 10) -> str:
    filled = round(share * width)
    return "█" * filled + "░" * (width - filled)


def reveal_view(posting_id: int) -> discord.ui.View:
    view = static_view()
    view.add_item(
        discord.ui.Button(
            label="My result",
            style=discord.ButtonStyle.primary,
            custom_id=ids.my_result(posting_id),
        )
    )
    view.add_item(
        discord.ui.Button(
            label="Report a problem",
            style=discord.ButtonStyle.secondary,
            custom_id=ids.report(posting_id),
        )
    )
    return view


def reports_embed(summaries: Sequence[ReportSummary]) -> discord.Embed:
    embed = discord.Embed(title="Reported and flagged questions", colour=COLOUR)
    if not summaries:
        embed.description = "Nothing reported or flagged. The keys look healthy."
        return embed
    for item in summaries[:10]:
        reasons = "\n".join(f"• {safe(reason, 150)}" for reason in item.reasons) or "—"
        flag = " · flagged" if item.flagged else ""
        embed.add_field(
            name=f"#{item.posting_id} · {item.question_id} · {item.local_date}"
            f" · {item.reports} report(s){flag}",
            value=safe(reasons, 1000),
            inline=False,
        )
    embed.set_footer(text="Fix a key in content/; regrade a member with /studybot regrade.")
    return embed


def my_result_embed(result: MyResult) -> discord.Embed:
    embed = discord.Embed(title="Your result", colour=COLOUR)
    if result.answer is None:
        embed.description = "You did not answer this one. See you at the next question!"
        return embed
    if result.answer.choice_index is not None and result.question.kind is Kind.CHOICE:
        chosen = result.question.options[result.answer.choice_index].text
        embed.add_field(name="You answered", value=safe(chosen, 200), inline=False)
    elif result.answer.text:
        embed.add_field(name="You answered", value=safe(result.answer.text, 1000), inline=False)
    credit = result.credit or 0.0
    embed.add_field(name="Credit", value=f"{credit:.0%}")
    if result.feedback:
        embed.add_field(name="Feedback", value=safe(result.feedback, 1000), inline=False)
    return embed


def config_embed(config: GuildConfig) -> discord.Embed:
    embed = discord.Embed(title="studybot settings", colour=COLOUR)
    embed.add_field(
        name="Channel", value=f"<#{config.channel_id}>" if config.channel_id else "not set"
    )
    embed.add_field(name="Posts at", value=f"{config.post_time} {config.timezone}")
    embed.add_field(name="Days", value=format_weekdays(config.weekdays))
    hours, minutes = divmod(config.answer_window_minutes, 60)
    embed.add_field(name="Reveal after", value=f"{hours} h {minutes:02d} min")
    embed.add_field(
        name="Rounds", value=", ".join(r.value for r in config.rounds) or "all", inline=False
    )
    embed.add_field(name="Tracks", value=", ".join(t.value for t in config.tracks) or "all")
    embed.add_field(name="Cohort start", value=str(config.cohort_start or "not set"))
    embed.add_field(
        name="Role to mention",
        value=f"<@&{config.mention_role_id}>" if config.mention_role_id else "none",
    )
    embed.add_field(name="State", value="paused" if config.paused else "active")
    return embed


def usage_embed(report: UsageReport) -> discord.Embed:
    embed = discord.Embed(title="LLM usage", colour=COLOUR)
    for label, summary in (("Last 24 hours", report.last_day), ("Last 7 days", report.last_week)):
        lines = [
            f"{item.purpose}: {item.calls} call(s), {item.total:,} tokens"
            f" ({item.cache_read_tokens:,} read from cache)"
            for item in summary.by_purpose
        ]
        embed.add_field(
            name=f"{label} · {summary.total:,} tokens",
            value="\n".join(lines) or "No calls: the offline grader and interviewer served.",
            inline=False,
        )
    embed.set_footer(text="Daily budget and mock limits are per server settings.")
    return embed
