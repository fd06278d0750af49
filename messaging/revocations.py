"""Consent revoked in the subscriber's own words (FCC, 47 CFR 64.1200(a)(10), 2025).

Since 11 April 2025 consent may be revoked "by any reasonable means", so a text saying
"please stop texting me" is an opt-out as much as STOP is. Exact STOP words are handled
before this module is asked (messaging.inbound); this one reads the rest and answers:

- CLEAR: a revocation by any reasonable reading ("remove me from this list", "wrong
  number", "no me envíen más mensajes"): opted out at once, like a STOP word;
- PROBABLE: likely one, but a person should read it ("why do you keep texting", "who is
  this? stop"): it goes to the Opt-out review queue, which honours it within ten
  business days at the latest;
- NONE: anything else, including texts that merely talk about stopping ("we have to
  stop this bill", "don't stop the rally", "stop by the office at 5").

The rules are deterministic and each verdict names the rule that gave it, so an agent
(or an auditor) can see why a text opted a number out. Text is normalised first: case,
accents (é → e), curly and straight apostrophes dropped (don’t → dont), emoji removed,
and a few texting spellings (pls, u, txt, msgs) spelled out. A text is split into
segments at sentence punctuation; a negation ("don't", "never", Spanish "no") just
before a phrase in the same segment cancels it: "please don't stop texting me" is not
a revocation, "No. Stop texting me" is.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

import emoji


class Verdict(StrEnum):
    CLEAR = "clear"
    PROBABLE = "probable"
    NONE = "none"


@dataclass(frozen=True)
class Classification:
    verdict: Verdict
    rule: str = ""  # the rule's name, e.g. "en.stop_texting"
    matched: str = ""  # the normalised words it matched

    def __bool__(self) -> bool:
        return self.verdict is not Verdict.NONE


@dataclass(frozen=True)
class Rule:
    name: str
    verdict: Verdict
    pattern: re.Pattern[str]
    # A probable rule that also turns a clear match in the same segment into a probable
    # one: "how do I unsubscribe?" asks about revoking rather than revoking.
    downgrades: bool = False


def _rule(name: str, verdict: Verdict, pattern: str, *, downgrades: bool = False) -> Rule:
    return Rule(name, verdict, re.compile(pattern), downgrades)


CLEAR, PROBABLE = Verdict.CLEAR, Verdict.PROBABLE

# Texting spellings, by token, after case and accents are gone.
_SPELLINGS = {
    "pls": "please",
    "plz": "please",
    "plse": "please",
    "u": "you",
    "ur": "your",
    "txt": "text",
    "txts": "texts",
    "txting": "texting",
    "msg": "message",
    "msgs": "messages",
    "dnt": "dont",
    "wanna": "want to",
    "q": "que",
    "xq": "por que",
    "pq": "por que",
    "porque": "por que",
    "msj": "mensaje",
    "msjs": "mensajes",
}

# Words that, alone or together, ask to stop: "stop please", "alto por favor",
# "basta ya", "stop stop stop". A message of only these is clear; a segment of only
# these beside other words ("who is this? stop") is probable.
_STOP_ONLY = frozenset(
    {"stop", "alto", "basta", "parar", "para", "paren", "cancelar", "baja", "detener",
     "unsubscribe", "cancel", "optout"}
)  # fmt: skip
_STOP_FILLER = frozenset(
    {"please", "now", "it", "thanks", "thank", "you", "ok", "okay", "por", "favor", "ya",
     "gracias", "ahora", "de", "me", "sir", "maam", "already", "asap", "just"}
)  # fmt: skip

_NEGATORS = {
    "en": frozenset(
        {"dont", "not", "never", "cant", "wont", "shouldnt", "isnt", "wasnt", "arent",
         "didnt", "doesnt", "cannot", "wouldnt"}
    ),
    "es": frozenset({"no", "nunca", "jamas", "ni"}),
}  # fmt: skip
# "why don't you stop texting me" keeps its meaning: the negation asks, it does not deny.
_NOT_NEGATING = re.compile(r"\bwhy (?:dont|do not|cant|wont) (?:you|u|they)\b")
NEGATION_WINDOW = 4  # tokens before a phrase that a negation reaches

_CONTACT = r"(?:texting|messaging|spamming|contacting|bothering|calling|harassing)"
_MESSAGES = r"(?:texts?|messages?|sms|spam|alerts|notifications)"
_ME = r"(?:me|us|this number|my number|my phone)"

RULES: dict[str, list[Rule]] = {
    "en": [
        _rule("en.stop_texting_me", CLEAR, rf"\bstop {_CONTACT} {_ME}\b"),
        # "please stop texting" – but not "stop texting and driving" nor "stop texting her".
        _rule(
            "en.stop_texting",
            CLEAR,
            rf"\bstop {_CONTACT}\b(?! (?:and|while|when|whilst) driv)"
            r"(?! (?:him|her|them|my|your|his|people|other|others|each)\b)",
        ),
        _rule(
            "en.stop_sending",
            CLEAR,
            rf"\bstop (?:sending|receiving|getting) (?:me )?(?:these|this|your|the|any|all)?"
            rf" ?{_MESSAGES}\b",
        ),
        _rule("en.stop_these_texts", CLEAR, rf"\bstop (?:these|the|your|all|this) {_MESSAGES}\b"),
        _rule(
            "en.remove_me",
            CLEAR,
            r"\b(?:remove|delete|erase|unlist) (?:me|my number|this number|my phone number|us)\b",
        ),
        _rule(
            "en.take_me_off",
            CLEAR,
            r"\btake (?:me|my number|this number|us) (?:off|out)\b",
        ),
        _rule("en.off_the_list", CLEAR, r"\b(?:get|put|want) me off\b"),
        _rule("en.unsubscribe", CLEAR, r"\bunsubscribe\b"),
        _rule("en.opt_out", CLEAR, r"\b(?:opt (?:me )?out|opting out|optout)\b"),
        _rule(
            "en.dont_text_me",
            CLEAR,
            r"(?<!why )\b(?:dont|do not|never) (?:ever )?(?:text|message|contact|sms|call|bother)"
            rf" {_ME}\b"
            # "don't text me the address, call" is about this message, not all of them.
            r"(?=$| (?:anymore|any more|again|ever|please|at all|no more|thanks|thank"
            r"|this number)\b)",
        ),
        _rule(
            "en.dont_want_texts",
            CLEAR,
            r"\b(?:dont|do not|no longer) (?:want|wish) (?:to (?:get|receive) )?(?:any )?(?:more )?"
            rf"(?:these |your |the |any |this )?{_MESSAGES}\b"
            r"|\b(?:dont|do not) want (?:you|u) to (?:text|message|contact) me\b",
        ),
        _rule("en.no_more_texts", CLEAR, rf"\bno more {_MESSAGES}\b|\bno more texting\b"),
        _rule("en.wrong_number", CLEAR, r"\bwrong (?:number|person|phone number)\b"),
        _rule(
            "en.cancel_texts",
            CLEAR,
            r"\b(?:cancel|end) (?:my |the |these |this |all |your )?"
            r"(?:subscription|texts|messages|alerts|notifications)\b",
        ),
        _rule(
            "en.how_do_i_stop",
            PROBABLE,
            r"\bhow (?:do|can|would|could) (?:i|we) (?:stop|unsubscribe|opt out|get off|be removed"
            r"|get removed|cancel)\b",
            downgrades=True,
        ),
        _rule(
            "en.why_keep_texting",
            PROBABLE,
            r"\bwhy (?:do|are|does|is|r|did) (?:you|they|this number|someone|this|yall|you guys)"
            rf" (?:keep |still |always )?{_CONTACT}\b|\bwhy (?:do|does) (?:you|this number) keep\b",
        ),
        _rule("en.dont_want_these", PROBABLE, r"\b(?:dont|do not) want (?:these|this|them|it)\b"),
        _rule("en.leave_me_alone", PROBABLE, r"\bleave me alone\b"),
        _rule(
            "en.how_got_my_number",
            PROBABLE,
            r"\bhow did you get (?:my|this) (?:number|phone|cell)\b|\bwho gave you my number\b",
        ),
        _rule("en.not_interested", PROBABLE, r"\bnot interested\b"),
        _rule("en.never_signed_up", PROBABLE, r"\b(?:never|didnt|did not) sign(?:ed)? up\b"),
        _rule("en.too_many_texts", PROBABLE, rf"\b(?:too|so) many {_MESSAGES}\b"),
        _rule(
            "en.make_it_stop", PROBABLE, r"\bmake (?:it|them|this) stop\b|\bstop (?:these|them)$"
        ),
    ],
    "es": [
        _rule(
            "es.no_me_envien",
            CLEAR,
            r"\bno (?:me|nos) (?:vuelvan a |vuelva a |vuelvas a )?"
            r"(?:envie|envien|envies|enviar|mande|manden|mandes|mandar|escriba|escriban|escribas"
            r"|escribir|contacte|contacten|contactes|contactar|textee|texteen|moleste|molesten"
            r"|molestes|molestar)\b"
            # "no me mande la ubicación todavía" asks about one message, not all of them.
            r"(?=$| (?:mas|nunca|mensajes|textos|sms|por favor|otra vez|de nuevo|nada|ya)\b)",
        ),
        _rule(
            "es.dejen_de_enviar",
            CLEAR,
            r"\b(?:dejen|deja|dejar|deje|dejes|para|paren|pare|parar|basta) de "
            r"(?:enviar|mandar|escribir|textear|contactar|molestar)(?:me|nos|le)?\b",
        ),
        _rule(
            "es.no_quiero_mensajes",
            CLEAR,
            r"\bno (?:quiero|deseo|necesito) (?:recibir |seguir recibiendo |mas )?(?:mas )?"
            r"(?:sus |estos |los |tus |ningun |ningunos )?(?:mensajes|textos|sms|mensajitos)\b",
        ),
        _rule(
            "es.sacame",
            CLEAR,
            r"\b(?:sacame|saquenme|saqueme|quitame|quitenme|quiteme|borrame|borrenme|borreme"
            r"|eliminame|eliminenme|elimineme|remuevanme)\b",
        ),
        _rule("es.salir_de_la_lista", CLEAR, r"\bsalir de (?:la|esta|su|tu|sus) lista\b"),
        _rule(
            "es.darme_de_baja",
            CLEAR,
            r"\b(?:darme|dar|dame|denme|deme|doy|darse|darnos|den) de baja\b",
        ),
        _rule(
            "es.numero_equivocado",
            CLEAR,
            r"\bnumero equivocado\b|\bequivoc(?:ad[oa]s?|aron|o|aste|an) de numero\b",
        ),
        _rule("es.no_mas_mensajes", CLEAR, r"\bno mas (?:mensajes|textos|sms)\b"),
        _rule(
            "es.cancelar_suscripcion",
            CLEAR,
            r"\b(?:cancelar|cancela|cancelen|cancele) (?:mi |la |las |los |esta |estas |sus )?"
            r"(?:suscripcion|mensajes|alertas|notificaciones)\b",
        ),
        _rule(
            "es.como_me_doy_de_baja",
            PROBABLE,
            r"\bcomo (?:me )?(?:doy de baja|cancelo|salgo|los detengo)\b",
            downgrades=True,
        ),
        _rule(
            "es.por_que_me_escriben",
            PROBABLE,
            r"\bpor que (?:me )?(?:siguen |sigue |sigues )?(?:me )?(?:escribiendo|mandando|enviando"
            r"|texteando|escriben|mandan|envian)\b",
        ),
        _rule("es.no_me_interesa", PROBABLE, r"\bno me interesa\b"),
        _rule("es.no_quiero_esto", PROBABLE, r"\b(?:ya )?no (?:quiero|deseo) (?:esto|estos|eso)\b"),
        _rule(
            "es.quien_dio_mi_numero",
            PROBABLE,
            r"\b(?:quien les dio|de donde (?:sacaron|obtuvieron|tienen)) mi numero\b",
        ),
        _rule("es.dejenme_en_paz", PROBABLE, r"\bdejen?me en paz\b"),
    ],
}
_SPAM = _rule("spam", PROBABLE, r"\bspam\b")

_SEGMENT_BREAK = re.compile(r"[.!?¡¿;,:\n\r]+")
_APOSTROPHES = re.compile(r"['\u2018\u2019\u02bc`´]")
_NON_WORD = re.compile(r"[^a-z0-9 ]+")


def normalise(text: str) -> list[str]:
    """The text as segments of normalised words (sentence punctuation splits segments)."""
    text = emoji.replace_emoji(text, replace=" ")
    decomposed = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    text = _APOSTROPHES.sub("", text)
    segments = []
    for raw in _SEGMENT_BREAK.split(text):
        words = [_SPELLINGS.get(w, w) for w in _NON_WORD.sub(" ", raw).split()]
        if words:
            segments.append(" ".join(words))
    return segments


def _negated(segment: str, start: int, language: str) -> bool:
    before = segment[:start]
    if _NOT_NEGATING.search(before):
        return False
    window = before.split()[-NEGATION_WINDOW:]
    return any(word in _NEGATORS[language] for word in window)


def _stop_only(words: list[str]) -> bool:
    return any(w in _STOP_ONLY for w in words) and all(
        w in _STOP_ONLY or w in _STOP_FILLER for w in words
    )


def revocation_classify(text: str) -> Classification:
    """Is `text` a revocation of consent? The first clear match wins, then the first
    probable one; a negated match counts for nothing."""
    segments = normalise(text)
    if not segments:
        return Classification(Verdict.NONE)
    every_word = " ".join(segments).split()
    if _stop_only(every_word):
        return Classification(Verdict.CLEAR, "stop_words_only", " ".join(every_word))
    clear: Classification | None = None
    probable: Classification | None = None
    for segment in segments:
        found_clear: Classification | None = None
        found_probable: Classification | None = None
        downgraded = False
        for language, rules in RULES.items():
            for rule in (*rules, _SPAM) if language == "en" else rules:
                for match in rule.pattern.finditer(segment):
                    if _negated(segment, match.start(), language):
                        continue
                    found = Classification(rule.verdict, rule.name, match.group(0))
                    if rule.verdict is Verdict.CLEAR:
                        found_clear = found_clear or found
                    else:
                        found_probable = found_probable or found
                        downgraded = downgraded or rule.downgrades
                    break
        if found_clear is not None and downgraded:
            found_probable, found_clear = found_probable, None
        if found_probable is None and _stop_only(segment.split()):
            found_probable = Classification(Verdict.PROBABLE, "stop_word_in_sentence", segment)
        clear = clear or found_clear
        probable = probable or found_probable
    return clear or probable or Classification(Verdict.NONE)
