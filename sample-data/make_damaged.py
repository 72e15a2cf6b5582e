#!/usr/bin/env python3
"""Writes sample-data/005_7c3e9a41d2b86f05.txt: a header-layout letter with
every kind of PDF-extraction damage the parser must undo.

The clean text below is our own wording, modelled on the real seeds. The
damage is applied deterministically:
  - CRLF line endings everywhere
  - a blank line after every line (as the seeds show)
  - trailing spaces on most lines
  - two page breaks: a run of blank lines, a `Page N of 4` footer, a form feed
  - words split at a line end after a real hyphen (`MTUS-` / `Definitions`,
    `Anti-` / `inflammatory`, `short-` / `term`) and a date split the same
    way (`03-` / `11-11`, the injury date in the case summary)
  - Latin-1 bytes (not UTF-8): `\xa7` for the section sign, `\xf1` in `Peña`
Run it from the repository root: python3 sample-data/make_damaged.py
"""

CLEAN = """Case Number:            CM14-0098765
Date Assigned:          07/21/2014
UR Denial Date:         06/30/2014
Priority:               Standard
Application Received:   07/10/2014
Employee Name:          [REDACTED]
Date of Injury:         03/11/2011
Claim Number:           [REDACTED]
Provider Name:          [REDACTED], MD
Treatment(s) in Dispute Listed on IMR Application:  Gabapentin 600mg #90 with 2 refills;
Compound: Flurbiprofen 20%/Lidocaine 5% cream (180 grams); TENS unit (30-day rental);
Physical therapy; Norco 10/325mg #120

DETERMINATION
MAXIMUS Federal Services, Inc. has completed the Independent Medical Review (IMR) of the
above workers' compensation case. This letter provides you with the IMR Final Determination
and explains how the determination was made. The reviewer found that some of the disputed
items are medically necessary and some are not, as set forth below.

HOW THE IMR FINAL DETERMINATION WAS MADE
MAXIMUS Federal Services sent the complete case file to an expert reviewer. He/she has no
affiliation with the employer, employee, providers or the claims administrator. The expert
reviewer is Board Certified in Physical Medicine and Rehabilitation, has a subspecialty in Pain
Medicine, and is licensed to practice in California and Nevada. He/she has been in active
clinical practice for more than five years and is currently working at least 24 hours a week in
active practice. The expert reviewer was selected based on his/her clinical experience,
education, background, and expertise in the same or similar specialties that evaluate and/or
treat the medical condition and disputed items/services. He/she is familiar with governing laws
and regulations, including the strength of evidence hierarchy that applies to Independent
Medical Review determinations.

CLINICAL CASE SUMMARY
The expert reviewer developed the following clinical case summary based on a review of the
case file, including all medical records:

The injured worker is a 47-year-old female who sustained an industrial injury on 03-
11-11 while lifting a box of files at work. She has reported neck pain, low back pain and left
shoulder pain. Diagnoses have included lumbar radiculopathy, cervical strain and left shoulder
impingement. Treatment to date has included medications, twelve sessions of physical therapy
in 2012, a home exercise program and activity modification. A progress note by Dr. Pe\u00f1a dated
May 28, 2014 documents low back pain rated 7/10 radiating to the left leg, decreased sensation
in the left L5 dermatome and a positive straight leg raise on the left. She reports that
gabapentin reduces her burning leg pain by about 40% and allows her to walk for thirty minutes.
She continues to work modified duty. The treating physician requested the items in dispute.

IMR ISSUES, DECISIONS AND RATIONALES
The Final Determination was based on decisions for the disputed items/services set forth below:

Gabapentin 600mg #90 with 2 refills:  Overturned

Claims Administrator guideline: Decision based on MTUS Chronic Pain Treatment Guidelines
Anti-epilepsy drugs (AEDs) Page(s): 16-18.

MAXIMUS guideline: Decision based on MTUS Chronic Pain Treatment Guidelines Anti-
epilepsy drugs (AEDs) Page(s): 16-19, 49.

Decision rationale: MTUS Chronic Pain Medical Treatment Guidelines identify gabapentin as a
first-line treatment for neuropathic pain. MTUS-
Definitions identifies that any treatment intervention should not be continued in the absence of
functional benefit. In this case, the records document radicular findings in the left L5
dermatome, a 40% reduction in pain and an increase in walking tolerance with gabapentin, and
continued modified work. Therefore, the request for Gabapentin 600mg #90 with 2 refills is
medically necessary.

Compound: Flurbiprofen 20%/Lidocaine 5% cream (180 grams):  Upheld

Claims Administrator guideline: Decision based on MTUS Chronic Pain Treatment Guidelines
Topical Analgesics Page(s): 111-113.

MAXIMUS guideline: Decision based on MTUS Chronic Pain Treatment Guidelines Topical
Analgesics Page(s): 111-113, 28.

Decision rationale: MTUS states that topical analgesics are largely experimental, and that any
compounded product that contains at least one drug or drug class that is not recommended is
not recommended. Topical lidocaine is only recommended in the form of a dermal patch, and
flurbiprofen is not FDA approved for topical use. Therefore, the request for the compounded
cream is not medically necessary.

TENS unit (30-day rental):  Upheld

Claims Administrator guideline: The Claims Administrator did not cite any medical evidence for
its decision.

MAXIMUS guideline: The Expert Reviewer did not base their decision on the MTUS. Decision
based on Non-MTUS Citation Official Disability Guidelines (ODG) Pain Chapter, TENS
(transcutaneous electrical nerve stimulation); Title 8, California Code of Regulations,
\u00a7 9792.20.

Decision rationale: ODG recommends a one-month home-based TENS trial only as an adjunct to
a program of evidence-based functional restoration, after other appropriate pain modalities
have been tried and failed. The records do not describe a functional restoration program or the
specific short-
term and long-term goals of the trial. Therefore, the request is not medically necessary.

Physical therapy two times a week for six weeks for the lumbar spine and the left
shoulder (12 sessions):  Upheld

Claims Administrator guideline: Decision based on MTUS Chronic Pain Treatment Guidelines
Physical Medicine Page(s): 98-99.

MAXIMUS guideline: Decision based on MTUS ACOEM Chapter 12 Low Back Complaints
Page(s): 298-301, and the MTUS Chronic Pain Treatment Guidelines Physical Medicine Page(s):
98-99.

Decision rationale: MTUS supports up to 10 visits of physical therapy for myalgia and radiculitis,
with a fading of treatment frequency to an independent home exercise program. The injured
worker completed twelve sessions in 2012 and has an established home exercise program.
There is no documentation of a new injury, an acute flare or a specific functional deficit that
would require further supervised therapy, and the 12 sessions requested exceed the guideline
recommendation. Therefore, the request is not medically necessary.

Norco 10/325mg #120:  Upheld

Claims Administrator guideline: Decision based on MTUS Chronic Pain Treatment Guidelines
Opioids Page(s): 74-96.

MAXIMUS guideline: Decision based on MTUS Chronic Pain Treatment Guidelines Opioids
Page(s): 78-80.

Decision rationale: MTUS requires ongoing review and documentation of pain relief, functional
status, appropriate medication use and side effects for the continued use of opioids. The records
do not document a urine drug screen, an opioid agreement or any functional improvement
attributable to Norco; the pain scores are unchanged at 7/10 with and without it. Therefore, the
request for Norco 10/325mg #120 is not medically necessary.
"""

# Page breaks go before these lines (a rationale crosses each break).
BREAK_BEFORE = {
    "Definitions identifies that any treatment intervention should not be continued in the absence of",
    "would require further supervised therapy, and the 12 sessions requested exceed the guideline",
}


def damage(text: str) -> bytes:
    lines = text.split("\n")
    out = []
    page = 1
    for i, line in enumerate(lines):
        if line in BREAK_BEFORE:
            page += 1
            out += ["", "", "", "", f"                                                  Page {page - 1} of 4", "\f"]
        # Trailing spaces on most lines, like the seeds (deterministic: by index).
        tail = " " if i % 5 else "   "
        out.append(line + tail)
        # A blank line after every line.
        out.append("")
    body = "\r\n".join(out) + "\r\n"
    # Latin-1, not UTF-8: the section sign and n-tilde become single bytes.
    return body.encode("latin-1")


if __name__ == "__main__":
    data = damage(CLEAN)
    try:
        data.decode("utf-8")
        raise SystemExit("the damaged letter must not be valid UTF-8")
    except UnicodeDecodeError:
        pass
    with open("sample-data/005_7c3e9a41d2b86f05.txt", "wb") as f:
        f.write(data)
