"""Label every span of an article with a language and a confidence.

The segmenter cuts sentences into maximal runs of one script, so a span reaches this
package already Cyrillic, Latin or letter-free. Script is evidence, not the answer:

* **No letters** (numbers, punctuation, whitespace, URLs, e-mail addresses): ``und``.
* **Latin**: English when ``en`` is a candidate and no other Latin-script language is
  (other Latin languages are only told apart, by seeded langdetect, when configured).
  One or two Latin words inside a mostly Cyrillic sentence are a name or acronym
  ("GIZ", "Huawei", "Kyiv Post"): ``und``, kept verbatim, never translated. Three or more
  words (a quoted English title) stay ``en``.
* **Cyrillic**: told apart by, in order of strength,

  1. spelling: each candidate has an alphabet; a word using a letter outside it
     (ы э ъ ё for Ukrainian, і ї є ґ for Russian, ў for both, ѓ ќ ѕ љ њ џ ј for all
     three) cannot be in that language. When such words make up a tenth of a span the
     language is ruled out, whatever else says otherwise; a letter that no candidate
     writes at all counts three times, since it is never a stray quote or typo;
  2. word frequencies from ``wordfreq`` (known words; this is what makes one- and
     two-word spans work, where langdetect is close to guessing);
  3. for words no frequency list knows, their endings: the share of each language's
     words (wordfreq's small list) ending the same way; when a candidate has no
     wordfreq list, langdetect's 1–3-gram profiles scored exhaustively instead;
     on top of 2 and 3, pymorphy3's full-form uk and ru dictionaries: a form exactly
     one of them lists costs the other about 50:1 odds ("подкопав" is Russian though
     its ending looks Ukrainian). Forms both list ("через", "людей") are left to the
     frequencies: that is where the remaining single-word errors are;
  4. seeded langdetect restricted to the candidate profiles, for spans of several words
     whose spelling and vocabulary leave the decision close;
  5. for a one- or two-word span that is still undecided, the rest of its sentence.
     Context only ever tips a close call; it never overrides spelling.

Candidates and languages without a model: the detector answers a candidate language or
``und`` (with the one exception below). The default candidates (config ``auto``) are
en, uk and ru plus the source language of every installed model, so a Russian span is
labelled ``ru`` even when no ru→en model is installed; the pipeline then flags the
article ("no model for ru→en") and counts it as failed rather than passing Russian off
as English.

A language the job has no model for: a run of three Cyrillic words or more that no
candidate can spell (every candidate ruled out by its letters), or of which more than
half the words are in neither the uk nor the ru dictionary (Belarusian without ў/ы/э
spells like Ukrainian, but its words are not Ukrainian), is labelled with the Cyrillic
language outside the candidates whose alphabet fits best (be, bg, mk, sr; bg against mk
by langdetect) at confidence 0.3. A run of eight words or more that even its best
candidate explains badly is shown to langdetect with bg and mk, and labelled bg or mk
when langdetect is confident (a Bulgarian sentence without ъ takes some words from the
Ukrainian dictionary and some from the Russian one). These labels are deliberate: the
pipeline then asks for a "be→en" engine, finds none, leaves those spans untranslated,
writes "error: no be→en model; N span(s) left untranslated" into the review file's Flags
and marks the article failed, instead of translating Belarusian as if it were
Ukrainian. Shorter such runs are usually names or pieces of a sentence cut by a Latin
word, and get the best-scoring candidate (at confidence at most 0.3 when no candidate
can spell them). Foreign text that none of this exposes (a Bulgarian sentence without ъ
whose words Russian shares) gets the closest candidate by vocabulary, usually Russian.

What each text says about itself is cached by its text, and each answer by (span,
sentence), so a repeated ad line or breadcrumb costs a dictionary lookup. Across runs,
``DetectionMemory`` keeps the answers in the state folder under the detector's ``key``
(the code of every module of this package, the candidates and the versions of the word
lists), so a rerun over the same articles (``--force``, new summary settings) loads no
word list at all.

One job per module, each depending only on those listed above it:

* ``alphabets``: how a text is cut into words, and which alphabets can write a word;
* ``datafiles``: the error naming a library's data file that is not as expected;
* ``lexicon``: wordfreq's frequency lists and pymorphy3's full-form dictionaries;
* ``profiles``: everything that touches langdetect (profile files, the seeded
  restricted detector, n-gram scores);
* ``foreign``: the Cyrillic languages without a model, when no candidate explains a text;
* ``evidence``: per-word scores and what a whole text says about itself;
* ``detector``: ``LanguageDetector``, the decision policy on top of that evidence;
* ``memory``: ``label``/``label_all`` over articles, and the persistent ``DetectionMemory``.
"""

from jobs.langid.alphabets import cyrillic_words
from jobs.langid.detector import LanguageDetector, candidate_languages
from jobs.langid.memory import DetectionMemory, label, label_all

__all__ = [
    "DetectionMemory",
    "LanguageDetector",
    "candidate_languages",
    "cyrillic_words",
    "label",
    "label_all",
]
