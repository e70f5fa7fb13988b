"""Small hand-built records for tests of single steps."""

from __future__ import annotations

from corpus.records import Document, Segment, Sentence, Source, Translation


def doc_of(*segments: list[str], lang: str = "en", translations: dict[str, str] | None = None,
           doc_id: str = "d1") -> Document:
    doc = Document(id=doc_id, source=Source(path="x.txt"))
    for texts in segments:
        seg = Segment(text=" ".join(texts), span=(0, 0), lang=lang, lang_prob=0.9)
        for t in texts:
            sent = Sentence(text=t, span=(0, len(t)), lang=lang, lang_prob=0.9)
            if translations and t in translations:
                sent.translation = Translation(translations[t], "en", "m")
            seg.sentences.append(sent)
        doc.segments.append(seg)
    return doc
