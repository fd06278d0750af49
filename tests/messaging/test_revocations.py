"""The free-text revocation classifier: a table of what people actually text.

Each row is (text, verdict). CLEAR opts the number out at once, PROBABLE queues it for
an agent, NONE leaves it a plain reply: texts that merely mention stopping must never
opt anyone out.
"""

import pytest

from messaging.revocations import Verdict, normalise, revocation_classify

C, P, N = Verdict.CLEAR, Verdict.PROBABLE, Verdict.NONE

TABLE = [
    # English, clear
    ("please stop texting me", C),
    ("Please STOP texting me!!", C),
    ("remove me from this list", C),
    ("Remove my number please", C),
    ("take me off", C),
    ("Take me off your list.", C),
    ("don't text me anymore", C),
    ("Don’t text me anymore", C),  # a phone's curly apostrophe
    ("do not contact me again", C),
    ("unsubscribe me", C),
    ("I want to unsubscribe", C),
    ("no more texts", C),
    ("No more messages please 🙏", C),
    ("wrong number", C),
    ("Sorry, you have the wrong number", C),
    ("stop sending me these messages", C),
    ("I want to stop receiving these texts", C),
    ("pls stop txting me", C),
    ("stop it", C),
    ("Stop please", C),
    ("stop stop stop", C),
    ("STOP 🛑 please", C),
    ("opt me out", C),
    ("I'd like to opt out", C),
    ("cancel my subscription", C),
    ("I don't want any more texts", C),
    ("No. Stop texting me", C),
    ("why don't you stop texting me", C),
    ("stop spamming me", C),
    # Spanish, clear
    ("ALTO", C),
    ("alto por favor", C),
    ("Basta ya", C),
    ("no me envíen más mensajes", C),
    ("No me manden mensajes", C),
    ("dejen de enviarme mensajes", C),
    ("Por favor dejen de escribirme", C),
    ("no quiero recibir más mensajes", C),
    ("Ya no quiero mensajes", C),
    ("sáquenme de la lista", C),
    ("quiero darme de baja", C),
    ("número equivocado", C),
    ("se equivocaron de número", C),
    ("no más mensajes", C),
    ("cancelar mi suscripción", C),
    # English, probable
    ("I don't want these", P),
    ("why do you keep texting", P),
    ("Why are you texting me?", P),
    ("who is this? stop", P),
    ("how do I unsubscribe?", P),
    ("How can I stop these texts", P),
    ("leave me alone", P),
    ("how did you get my number", P),
    ("not interested", P),
    ("I never signed up for this", P),
    ("this is spam", P),
    ("too many texts", P),
    # Spanish, probable
    ("¿por qué me siguen mandando mensajes?", P),
    ("¿Quién es? Alto", P),
    ("no me interesa", P),
    ("¿Cómo me doy de baja?", P),
    ("¿De dónde sacaron mi número?", P),
    ("déjenme en paz", P),
    # Not a revocation: they mention stopping, or negate it
    ("we have to stop this bill", N),
    ("don't stop the rally", N),
    ("stop by the office at 5", N),
    ("please don't stop texting me, I love these updates", N),
    ("Don't remove me, I still want the alerts", N),
    ("I will stop at the store on the way", N),
    ("Stop texting and driving!", N),
    ("I can't stop texting my friends about this", N),
    ("the bus stop on 5th is closed", N),
    ("Keep the texts coming", N),
    ("Yes, I'll be there", N),
    ("Who is this?", N),
    ("This is not the wrong number, it is Ana", N),
    ("Thanks!", N),
    ("We must stop the war", N),
    ("non-stop action at the rally", N),
    ("hay que parar esta ley", N),
    ("¡No paren la marcha!", N),
    ("pasa por la oficina a las 5", N),
    ("alto el fuego ya", N),
    ("no dejen de enviarme mensajes", N),
    ("no me mande la ubicación todavía", N),
    ("don't text me the address, just call", N),
    ("No me escriban", C),
    ("Never text me again", C),
    ("El volumen está muy alto", N),
    ("¿A qué hora es la reunión?", N),
    ("", N),
    ("🙂👍", N),
]


def test_the_table_holds_at_least_sixty_sentences_in_both_languages():
    assert len(TABLE) >= 60
    assert {v for _, v in TABLE} == {C, P, N}


@pytest.mark.parametrize(("text", "verdict"), TABLE, ids=[t or "<empty>" for t, _ in TABLE])
def test_it_classifies(text, verdict):
    found = revocation_classify(text)
    assert found.verdict is verdict, found
    # Every verdict but NONE names the rule and the words that gave it.
    assert bool(found.rule) is (verdict is not N)


def test_normalisation_drops_case_accents_apostrophes_emoji_and_texting_spellings():
    assert normalise("Dón’t TXT  u 🛑 más. ¿Ok?") == ["dont text you mas", "ok"]


def test_a_negation_only_reaches_its_own_sentence():
    assert revocation_classify("Don't. Stop texting me").verdict is C
    assert revocation_classify("don't stop texting me").verdict is N
