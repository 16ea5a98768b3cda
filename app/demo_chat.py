"""The chat of the demo organisation, filled by `app.demo` once its people, lounges and sessions
exist: a few weeks of conversation in every lounge (questions and answers, links, `@handle`
mentions, reactions, a few messages fixed after posting) and the chat of two sessions already
held, then read markers so that unread counts look like people have been keeping up.

Messages go through `chat.post_messages`, one batch per channel, so they get the channel's
seqs, their mentions and mention notifications exactly as posted ones do; edits and reactions
go through `chat.edit_message` and `chat.react`, and read markers through `chat.mark_read`.
The services stamp all of these "now", so their times are then moved into the past weeks, in
the order they were posted.

A script is a conversation: each line is `"A: text"`, where the letter is a speaker (`H` is the
lounge's host, other letters are different members picked by the demo's random generator), and
`{A}` in the text becomes that speaker's first name and `@{A}` their handle. A line given as a
pair is posted as its first text and edited, a few minutes later, into its second.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import LearningSession, Lounge, LoungeMember, Message, Notification, Reaction, Rsvp, User
from app.realtime.hub import Hub
from app.services import chat, lounges

Line = str | tuple[str, str]
Script = tuple[Line, ...]

LOUNGE_CHATS: dict[str, tuple[Script, ...]] = {
    "Python guild": (
        ("A: Has anyone moved a project from setup.py to pyproject.toml? Ours has 200 lines of custom "
         "commands in setup.py 😬",
         "B: We did it for the billing export last month. Most of the custom commands became Makefile "
         "targets. This guide covers the rest: https://packaging.python.org/en/latest/guides/writing-pyproject-toml/",
         "A: Did you keep setuptools as the build backend or switch?",
         "B: Kept setuptools. Switching backends in the same change felt like one change too many.",
         "C: +1. And check the built wheel still has your data files in it: we shipped one without "
         "its templates once.",
         "A: Great tips, thanks both. I'll open a draft PR and ask @{B} to review it."),
        ("A: Quick one: why does my `scope=\"session\"` fixture run twice under pytest-xdist?",
         "B: Every xdist worker is its own process, so session scope means once per worker. The xdist "
         "docs have a recipe with a file lock if it really must run once: "
         "https://pytest-xdist.readthedocs.io/en/stable/how-to.html",
         "A: That explains the four database dumps 🙃",
         "C: We hit the same thing. In the end we made the fixture cheap instead of making it run once.",
         "H: This would make a good ten-minute slot at the next pairing hour, if either of you fancies it?",
         "B: Happy to, if @{A} brings the four dumps as the cautionary tale."),
        ("A: Hot take: `TypedDict` is the gentlest way into typing an old codebase.",
         "B: Not even that hot. We typed the webhooks module like that: dicts first, dataclasses later.",
         "C: What do you do with functions that return a dict, or None, or raise, depending on a flag?",
         ("B: Split them. If the return type needs a paragrpah to explain, it's two fucntions.",
          "B: Split them. If the return type needs a paragraph to explain, it's two functions."),
         "D: Protocols helped us a lot with the storage backends: "
         "https://mypy.readthedocs.io/en/stable/protocols.html",
         "A: Saving this thread for the typing talk."),
        ("H: Reminder: the code review clinic starts this week. Bring a PR you're unsure about, yours or "
         "one you're reviewing.",
         "A: Can I bring one that's already merged? I'd like to understand why it was approved 😅",
         "H: Absolutely. Merged PRs are the safest ones to talk about.",
         "B: Is there a maximum size? Ours is 1,400 lines.",
         "H: Bring it, but we'll probably look at one file. Big PRs are a good topic in themselves."),
        ("A: Thanks for the incident review workshop, {H}. Building the timeline before asking why was "
         "eye-opening.",
         "B: Same. I hadn't noticed how fast we jump to blaming a change.",
         "H: Thanks for coming! The chapter we used is https://sre.google/sre-book/postmortem-culture/ "
         "and the template is on the wiki under Engineering → Incidents.",
         "C: Could we use it for the search outage from last week? Nobody has written that one up yet.",
         "H: Yes please. @{C}, want to try facilitating it? I'll sit in."),
        ("A: Does anyone have a good rule for `asyncio.TaskGroup` versus `gather`?",
         "B: A TaskGroup cancels the others when one fails; gather carries on unless you ask it not to. "
         "The docs section is short: https://docs.python.org/3/library/asyncio-task.html#task-groups",
         "A: So TaskGroup by default, unless I really want partial results?",
         "B: That's how I use it.",
         "C: It needs Python 3.11, which caught us out on the old reporting server."),
    ),
    "Data literacy": (
        ("A: Why does weekly actives jump every Monday? Is something broken?",
         "B: Nothing's broken: the week starts on Monday, so Monday is the first day anyone can count "
         "as active that week. Look at the 7-day rolling line instead.",
         "A: Oh. That's embarrassingly simple.",
         "H: Not embarrassing at all, it's the question we get most. I'll add a note to the dashboard.",
         "C: Could the note say which time zone the week is in? Half my team is in Singapore."),
        ("A: Is a conversion rate going from 4% to 5% a 1% rise or a 25% rise?",
         "B: Both, which is the problem. One percentage point, or 25% relative. Say which one you mean.",
         "C: This is the best short explainer I know: https://en.wikipedia.org/wiki/Percentage_point",
         "A: I'm going to start writing \"points\" in every report now.",
         ("H: Good habit. And show the counts next to the rate whenever the groups are smal.",
          "H: Good habit. And show the counts next to the rate whenever the groups are small.")),
        ("A: I'm trying to find where the onboarding funnel leaks. Is there a table with one row per "
         "sign-up and the steps they reached?",
         "B: `onboarding_steps` in the warehouse, one row per step reached. Join it to `accounts` on "
         "`account_id`.",
         "A: Thanks! Do test accounts show up there?",
         "B: They do. Filter on `is_internal = false`, or you'll find our whole QA team in the funnel 😄",
         "A: First rough result: the biggest drop is at inviting colleagues, not at sign-up.",
         "C: That matches what support hears. @{A} could you bring it to the next drop-in?"),
        ("H: Homework for anyone coming to \"Lying with charts\": find one chart in the news this week "
         "that made you suspicious, and bring it.",
         "A: Does a truncated y-axis count if it's in our own quarterly report? 👀",
         "H: That counts double.",
         "B: Mine is a map where every region is coloured by a raw count, so the big regions always win.",
         "C: Classic. Per-capita or it didn't happen."),
        ("A: Median or mean for time to first reply?",
         "B: Median, almost always. One ticket that waited over a long weekend drags the mean for the "
         "whole month.",
         "C: And show the 90th percentile too, that's the experience people complain about.",
         "A: Makes sense. Our SLA is written as an average, though.",
         "H: Then report both and start the conversation about changing the SLA. Happy to help with it."),
    ),
    "Leading without authority": (
        ("A: How do you get a team to adopt something when you're not their manager and they're all busy?",
         "B: I ask their manager what problem they'd most like solved this quarter, then show how my "
         "thing helps with that one. Never pitch the thing on its own.",
         "C: Also find the person on the team who already cares. One insider beats ten slides.",
         "A: There is one, actually. She's been asking for it for months.",
         "H: Then she's your co-author, not your audience. Worth bringing to the next set?",
         "A: Yes, I'll bring it."),
        ("A: Book recommendation for this group: \"The Fearless Organization\" by Amy Edmondson. The "
         "chapter on speaking up is very good.",
         "B: Seconded. Her TEDx talk is a fast way in: https://www.youtube.com/watch?v=LhoLuui9gX8",
         "C: Adding it to my list. Is it more for managers or for everyone?",
         "A: Everyone, I'd say. Half of it is about how peers react when someone admits a mistake."),
        ("H: Thanks all for Tuesday's set. The question that stayed with me: \"what would you do if you "
         "had the authority?\" Then do the parts you can do without it.",
         "A: I wrote that one down. It unstuck me.",
         ("B: I tried it on the release process: three of the five changes need nobdy's permission.",
          "B: I tried it on the release process: three of the five changes need nobody's permission."),
         "C: 🙌 Report back next time, @{B}?",
         "B: Will do."),
        ("A: I've been asked to chair a cross-team working group. Any advice for the first meeting?",
         "B: Agree on what the group decides and what it only recommends. It saves a lot of grief later.",
         "C: And write the purpose in one sentence that everyone says yes to before you do anything else.",
         "H: Rotate the note-taker. If you take the notes, you end up owning everything.",
         "A: All three are going into my agenda. Thank you!"),
        ("A: Feedback question: how do you give feedback to someone more senior on a project you lead?",
         "B: Ask first: \"can I give you some feedback on the launch plan?\" Almost nobody says no, and "
         "it changes how it lands.",
         "C: Stick to what you saw and what it did to the project. Leave out the guesses about why.",
         "A: That's the part I always get wrong. I explain their reasons to them 😬",
         "H: We practised exactly that in \"Giving feedback that lands\". The notes are on its page."),
    ),
    "Accessibility champions": (
        ("A: What's the quickest way to check a page with a screen reader if I've never used one?",
         "B: On a Mac, VoiceOver is built in (Cmd+F5). Try navigating by headings only, with VO+Cmd+H. "
         "If the headings don't tell the story, that's your first fix.",
         "C: On Windows, NVDA is free: https://www.nvaccess.org/download/",
         "A: Just tried VoiceOver on our pricing page. It read \"button, button, button\". 😳",
         "H: Unlabelled icon buttons, the classic. `aria-label` or visible text, and it's fixed."),
        ("A: Is 4.5:1 contrast required for placeholder text too?",
         "B: Yes, if it carries information. But don't use placeholders as labels at all: they vanish "
         "as soon as you type.",
         "C: The WCAG 2.2 quick reference is handy for questions like this: https://www.w3.org/WAI/WCAG22/quickref/",
         "A: Thanks! Our sign-up form uses placeholders as labels everywhere, so that's my next ticket."),
        ("H: Results from the axe audit session: 23 issues on the main dashboard, 17 of them contrast "
         "or missing labels. Fixing the shared theme fixes most of them at once.",
         "A: Can we add axe to CI so they don't come back?",
         "B: We did it with @axe-core/playwright in the design system repo, it took an afternoon: "
         "https://github.com/dequelabs/axe-core-npm",
         "H: Lovely. @{B}, could you share the config in here?",
         ("B: Done, it's in the wiki under Design → Accesibility.",
          "B: Done, it's in the wiki under Design → Accessibility.")),
        ("A: Plain language question: is \"utilise\" ever better than \"use\"?",
         "B: No 😄",
         "C: The GOV.UK style guide has a list of words to avoid, and it's brutal: "
         "https://www.gov.uk/guidance/style-guide/a-to-z",
         "A: \"Leverage\" is on it. Our whole roadmap is on it.",
         "H: Bring the roadmap to the plain language review. Nothing is off limits."),
        ("A: Does anyone know whether our PDFs need to be accessible too, or only the web pages?",
         "B: Both, for anything customers download. Tagged PDFs, real headings, alt text on the charts.",
         "C: Exporting from the docs tool with \"tagged PDF\" ticked gets you most of the way.",
         "A: Perfect, I'll check the onboarding guide first. It's our most downloaded one."),
    ),
    "Spanish conversation": (
        ("H: ¡Hola a todos! ¿Qué tal el fin de semana?",
         "A: Muy bien, fui a la playa con mi familia. ¡Hacía mucho frío! 🥶",
         "B: Yo vi una película española, «Campeones». La recomiendo mucho.",
         "C: ¿Con subtítulos o sin subtítulos? 😄",
         "B: Con subtítulos en español. ¡Poco a poco!",
         "H: Es la mejor manera. ¡Muy bien, {B}!"),
        ("A: Pregunta: ¿cuándo se dice «por» y cuándo «para»? Siempre me equivoco.",
         "B: Truco: «para» mira hacia el destino o el objetivo, «por» hacia la causa o el camino. "
         "«Estudio español para hablar con clientes», «gracias por tu ayuda».",
         "C: Esta página lo explica bien, con ejemplos: https://www.spanishdict.com/guide/por-vs-para",
         "A: ¡Gracias! Por fin lo entiendo… ¿o es «para fin»? 😂",
         "H: «Por fin», ¡perfecto!"),
        ("A: Hoy respondí a un cliente en español por primera vez 🎉",
         "B: ¡Enhorabuena! ¿Cómo fue?",
         ("A: Bien, creo. Escribí «estoy embarazada» en vez de «me da vergüenza» en el borrador, "
          "pero lo vi antes de enviarlo.",
          "A: Bien, creo. Casi escribí «estoy embarazada» en vez de «me da vergüenza», pero lo vi antes "
          "de enviarlo."),
         "C: ¡Ja, ja! Un clásico. Todos lo hemos hecho.",
         "H: Muy bien, @{A}. Si quieres, lo miramos juntos en la próxima comida."),
        ("H: Recordatorio: el jueves comemos juntos en la Library corner. Tema: la comida de vuestra región.",
         "A: ¡Qué bien! Voy a hablar de la paella valenciana… sin chorizo 😅",
         "B: ¿Puedo venir si solo sé presentarme?",
         "H: ¡Claro que sí! Todos los niveles son bienvenidos.",
         "C: Yo traigo unas palabras nuevas para compartir."),
        ("A: ¿Alguien conoce un buen pódcast para principiantes?",
         "B: «Coffee Break Spanish» está muy bien para empezar: https://coffeebreaklanguages.com/spanish/",
         "C: Para nivel intermedio me gusta «Hoy Hablamos», un episodio corto cada día.",
         "A: ¡Gracias! Lo escucho en el tren."),
    ),
    "New managers circle": (
        ("A: First one-to-ones with my new team this week. What did you wish you'd asked in yours?",
         "B: \"How do you like to get feedback?\" I skipped it and guessed wrong with two people.",
         "C: \"What should I not change?\" You learn what people are proud of.",
         "H: And write down what you promise in each one. The first month is when trust is built or lost.",
         "A: Thank you all, that's my list sorted."),
        ("A: How do you say no to your own manager when your team is already full?",
         "B: I show the list of what we're doing and ask which one should stop. It turns a no into a choice.",
         "C: That works for me too. It helps to have the list written down before the conversation.",
         "A: Trying it tomorrow. Wish me luck 🤞",
         "H: Good luck! Tell us how it went, @{A}."),
        ("A: I had my first difficult conversation about performance today. It went... okay?",
         "B: \"Okay\" for a first one is good. Did you agree on what happens next?",
         "A: We agreed on two things to try and a date to check in. I was shaking a bit beforehand.",
         "C: Everyone is, the first time. It gets easier, though not completely.",
         "H: This is worth a whole session. I'll put it on the agenda for \"First 90 days\"."),
        ("H: Someone asked for reading on delegation. This one is short and practical: "
         "https://hbr.org/2017/10/to-be-a-great-leader-you-have-to-learn-how-to-delegate-well",
         "A: Thanks, {H}! I'm definitely the manager who keeps the interesting work.",
         ("B: Same here. I'm trying to hand over one thing a week, starting with the weekly reprot.",
          "B: Same here. I'm trying to hand over one thing a week, starting with the weekly report."),
         "C: Let us know how the weekly report goes, @{B}! 😄"),
    ),
}

# Posted during the session by its host (`H`) and people who came (other letters); without
# @mentions, whose notifications would link to the lounge (see `fill_chat`).
SESSION_CHATS: dict[str, Script] = {
    "Reading a dashboard like an analyst": (
        "H: Welcome, everyone! I'll share my screen in a minute. We'll use the weekly product dashboard.",
        "A: Is the link the same as last time?",
        "H: Yes: it's pinned in the Data literacy lounge.",
        "B: Can you zoom in a bit? The axis labels are tiny on my laptop.",
        "C: Quick question: is \"active\" anyone who logs in, or anyone who does something?",
        "H: Great question. Anyone who posts, RSVPs or edits something. Logging in alone doesn't count.",
        "A: That changes how I read the whole top row 😮",
        "B: Thanks, this was really useful!",
    ),
    "Auditing a page with axe": (
        "H: Hi all! Please install the axe DevTools extension before we start: "
        "https://www.deque.com/axe/devtools/",
        "A: Installed. Where does it show up?",
        "H: In the browser's developer tools, as an \"axe DevTools\" tab.",
        "B: Ran it on the pricing page: 14 issues, mostly \"buttons must have discernible text\".",
        "C: Does \"needs review\" mean it's a problem or not?",
        "H: It means axe can't tell on its own. A person has to look, often at contrast over images.",
        "A: Found an image with the alt text \"image\". Amazing.",
        "C: Thank you, I'm going to run this on everything now.",
    ),
}

EMOJI = ("👍", "👍", "👍", "❤️", "🙏", "🎉", "😂", "👀", "💯", "🙌")
ZONE = ZoneInfo("Europe/London")  # the demo's sessions keep London time, and so do its lounges
_SLOT = re.compile(r"(@?)\{([A-Z])\}")


@dataclass(frozen=True)
class _Said:
    at: datetime
    author: User
    body: str
    edited: str | None  # the text the author changed it to, if they did


def _cast(script: Script, *, host: User, others: list[User], rng: random.Random) -> dict[str, User]:
    """Who plays each speaker of `script`: `H` the host, the other letters different people."""
    lines = [line if isinstance(line, str) else line[0] for line in script]
    letters = sorted({line.split(":", 1)[0] for line in lines} - {"H"})
    return {"H": host, **dict(zip(letters, rng.sample(others, k=len(letters)), strict=True))}


def _words(text: str, cast: dict[str, User]) -> str:
    """`text` without the speaker, with `{X}` and `@{X}` filled in."""
    def fill(slot: re.Match[str]) -> str:
        person = cast[slot[2]]
        return f"@{person.handle}" if slot[1] else person.display_name.split()[0]
    return _SLOT.sub(fill, text.split(": ", 1)[1])


def _lines(script: Script, times: list[datetime], cast: dict[str, User]) -> list[_Said]:
    said = []
    for line, at in zip(script, times, strict=True):
        first, edited = (line, None) if isinstance(line, str) else line
        said.append(_Said(at=at, author=cast[first.split(":", 1)[0]], body=_words(first, cast),
                          edited=_words(edited, cast) if edited else None))
    return said


def _conversation_days(rng: random.Random, *, count: int, now: datetime) -> list[datetime]:
    """`count` working mornings in the last four weeks (not today), oldest first."""
    today = now.astimezone(ZONE).date()
    days = [today - timedelta(days=n) for n in range(1, 29)]
    chosen = sorted(rng.sample([d for d in days if d.weekday() < 5], k=count))
    return [datetime.combine(day, time(9), ZONE) for day in chosen]


def _thread_times(rng: random.Random, morning: datetime, length: int) -> list[datetime]:
    """A conversation that starts during the working day, its replies minutes apart, except that
    someone may come back to it a couple of hours later, once; it is over by evening."""
    at = morning + timedelta(minutes=rng.randint(0, 6 * 60))
    later = rng.randrange(1, length + 2)  # past the end: nobody came back
    times = []
    for n in range(length):
        at += timedelta(minutes=rng.randint(90, 150) if n == later else rng.randint(2, 35) if n else 0)
        times.append(at)
    return times


async def _people(db: AsyncSession, lounge_id: str) -> list[User]:
    return list(await db.scalars(select(User).join(LoungeMember, LoungeMember.user_id == User.id)
                                 .where(LoungeMember.lounge_id == lounge_id).order_by(User.email)))


async def _post(db: AsyncSession, *, hub: Hub, access: lounges.ChannelAccess, said: list[_Said],
                people: list[User], rng: random.Random, now: datetime) -> list[Message]:
    """Post, edit and react to `said` in one channel through the chat services, then date it all."""
    posted = await chat.post_messages(db, hub=hub, access=access,
                                      posts=[chat.Post(line.author, line.body) for line in said])
    ids = [message.id for message, _ in posted]
    reacted: dict[tuple[str, str, str], datetime] = {}
    for line, message_id in zip(said, ids, strict=True):
        if line.edited:
            await chat.edit_message(db, hub=hub, message_id=message_id, user=line.author, body=line.edited)
        if rng.random() < 0.35:
            emoji = rng.choice(EMOJI)
            others = [p for p in people if p.id != line.author.id]
            for person in rng.sample(others, k=min(len(others), rng.randint(1, 3))):
                await chat.react(db, hub=hub, message_id=message_id, user=person, emoji=emoji, add=True)
                reacted[message_id, person.id, emoji] = min(
                    line.at + timedelta(minutes=rng.randint(1, 240)), now - timedelta(minutes=1))
    messages = {m.id: m for m in await db.scalars(select(Message).where(Message.id.in_(ids)))}
    for line, message_id in zip(said, ids, strict=True):
        message = messages[message_id]
        message.created_at = line.at
        if line.edited:
            message.edited_at = line.at + timedelta(minutes=rng.randint(1, 6))
    for reaction in await db.scalars(select(Reaction).where(Reaction.message_id.in_(ids))):
        reaction.created_at = reacted[reaction.message_id, reaction.user_id, reaction.emoji]
    await db.commit()
    return [messages[message_id] for message_id in ids]


async def _catch_up(db: AsyncSession, *, channel_id: str, said: list[_Said], messages: list[Message],
                    people: list[User], rng: random.Random, everyone_read: bool = False) -> None:
    """Read markers: everyone has read up to their own last message at least; many have read
    everything since, some part of it. Mentions people have read past are read too."""
    newest = messages[-1].seq
    read_to: dict[str, int] = {}
    for person in people:
        own = max((m.seq for m in messages if m.author_id == person.id), default=0)
        roll = rng.random()
        seq = newest if everyone_read or roll < 0.5 else rng.randint(own, newest) if roll < 0.8 else own
        if seq:
            await chat.mark_read(db, channel_id=channel_id, user_id=person.id, seq=seq)
            read_to[person.id] = seq
    by_body = {line.body[:280]: m for line, m in zip(said, messages, strict=True)}  # as first posted
    mentions = await db.scalars(select(Notification).where(
        Notification.kind == "mention", Notification.user_id.in_([p.id for p in people]),
        Notification.body.in_(list(by_body))))
    for notification in mentions:
        message = by_body[notification.body]
        notification.created_at = message.created_at
        if read_to.get(notification.user_id, 0) >= message.seq:
            notification.read_at = message.created_at + timedelta(minutes=rng.randint(5, 300))
    await db.commit()


async def fill_chat(db: AsyncSession, *, rng: random.Random, now: datetime) -> dict[str, int]:
    """Every lounge's conversation and two held sessions' chat (see the module's docstring)."""
    hub = Hub()  # nobody is listening while the demo is made; the services still publish
    total = 0
    by_name = {lounge.name: lounge for lounge in await db.scalars(
        select(Lounge).where(Lounge.name.in_(list(LOUNGE_CHATS)), Lounge.archived_at.is_(None)))}
    for lounge in (by_name[name] for name in LOUNGE_CHATS):
        people = await _people(db, lounge.id)
        host = next(p for p in people if p.id == lounge.created_by)
        others = [p for p in people if p.id != host.id]
        threads = LOUNGE_CHATS[lounge.name]
        said = []
        mornings = _conversation_days(rng, count=len(threads), now=now)
        for script, morning in zip(threads, mornings, strict=True):
            said += _lines(script, _thread_times(rng, morning, len(script)),
                           _cast(script, host=host, others=others, rng=rng))
        access = await lounges.channel_access(db, channel_id=lounge.channel_id, user_id=host.id)
        messages = await _post(db, hub=hub, access=access, said=said, people=people, rng=rng, now=now)
        await _catch_up(db, channel_id=lounge.channel_id, said=said, messages=messages, people=people,
                        rng=rng)
        total += len(messages)
    for title, script in SESSION_CHATS.items():
        session = await db.scalar(select(LearningSession).where(
            LearningSession.title == title, LearningSession.ends_at <= now)
            .order_by(LearningSession.starts_at))
        assert session is not None, title
        came = list(await db.scalars(select(User).join(Rsvp, Rsvp.user_id == User.id).where(
            Rsvp.session_id == session.id, Rsvp.checked_in_at.is_not(None), User.id != session.host_id)
            .order_by(User.email)))
        host = await db.get(User, session.host_id)
        assert host is not None
        span = int((session.ends_at - session.starts_at).total_seconds()) - 120
        times = [session.starts_at + timedelta(seconds=s)
                 for s in sorted(rng.sample(range(-300, span), k=len(script)))]
        said = _lines(script, times, _cast(script, host=host, others=came, rng=rng))
        access = await lounges.channel_access(db, channel_id=session.channel_id, user_id=host.id)
        # The chat of a session closes when it ends, and these ended before the demo was made:
        # posted as to an always-open channel (the lounge's), they are numbered and stored in the
        # session's channel as if posted during the session.
        messages = await _post(db, hub=hub, access=replace(access, session_id=None), said=said,
                               people=[host, *came], rng=rng, now=now)
        await _catch_up(db, channel_id=session.channel_id, said=said, messages=messages,
                        people=[p for p in [host, *came] if any(m.author_id == p.id for m in messages)],
                        rng=rng, everyone_read=True)
        total += len(messages)
    return {"messages": total}
