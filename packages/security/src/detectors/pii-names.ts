import { isAsciiAlnum } from '../chars.js';
import type { RawFinding } from './types.js';

/**
 * Cue-based names, places and organisations: runs of capitalised words classified by the words
 * around them. No model and no gazetteer, so recall is modest; findings are `info` severity and
 * never change a verdict on their own.
 */

const UPPER = 'A-ZÀ-ÖØ-Þ';
const LOWER = "a-zß-öø-ÿ'’";
const RUN = new RegExp(
  `[${UPPER}][${LOWER}]+(?:-[${UPPER}]?[${LOWER}]+)?(?:\\s(?:(?:de|da|del|der|van|von|di|du|la|le|bin|al)\\s)?[${UPPER}][${LOWER}]+(?:-[${UPPER}]?[${LOWER}]+)?){0,3}`,
  'g',
);

// Capitalised because they start a sentence or are always capitalised, not because they are names.
const COMMON = new Set(
  `the this that these those there here then than i we you he she it they my our your his her their its a an in on at for from to with as if when what where who whom why how which please thanks thank hi hello dear is are was were be been can could would should will shall may might must do does did done not no yes but and or so also after before because while since until unless although though however therefore moreover meanwhile today tomorrow yesterday tonight let lets let's just now only even still yet all any each every some many most more much few other another such both either neither one two three four five six seven eight nine ten first second third last next new old good great best well very really sure ok okay oh wow hey dear sir madam mr mrs ms miss dr prof monday tuesday wednesday thursday friday saturday sunday january february march april may june july august september october november december english french german spanish italian chinese japanese russian american british european african asian internet email phone mobile address account card bank credit debit payment order invoice ticket title chapter section page figure table note notes subject re fw fwd regards sincerely best cheers thanks ceo cto cfo hr it ai id ip url api faq usa uk eu un`.split(
    ' ',
  ),
);
const ORG_SUFFIX =
  /\b(?:Inc|LLC|Ltd|Corp|Corporation|Company|Co|Group|Bank|University|College|Institute|Foundation|Association|Agency|Partners|Solutions|Technologies|Technology|Systems|Services|Holdings|Media|Labs|GmbH|AG|SA|PLC|Hospital|Clinic|Airlines|Motors|Industries|Enterprises|Consulting|Software|Studios)\.?$/;
const PLACE_WORD =
  /\b(?:City|County|Street|Avenue|Road|Province|Island|Islands|Lake|Mount|River|Valley|Beach|Bay|Park|Square|Republic|Kingdom|State|States)$/;
const PLACE_BEFORE =
  /\b(?:in|at|from|near|into|across|around|visit(?:ed|ing)?|lives?\s+in|living\s+in|moved\s+to|based\s+in|born\s+in|located\s+in|arrived\s+(?:at|in)|flew\s+to|travel(?:l?ed|l?ing)?\s+to|trip\s+to|go(?:ing)?\s+to|went\s+to|city\s+of|town\s+of)\s+(?:the\s+)?$/i;
const PERSON_BEFORE =
  /\b(?:mr|mrs|ms|miss|mx|dr|prof|sir|dame|name\s+is|named|called|i\s+am|i'm|this\s+is|contact|ask|tell|meet|met|with|by|from|dear|hi|hello|thanks|thank\s+you|cc|attn|signed|regards,?|sincerely,?)\.?\s+$/i;

// Nationalities, religions and political groups (Presidio's NRP): a short hand-written list.
const NRP =
  /\b(?:american|british|english|scottish|welsh|irish|french|german|italian|spanish|portuguese|dutch|belgian|swiss|austrian|swedish|norwegian|danish|finnish|icelandic|polish|czech|slovak|slovenian|croatian|serbian|bosnian|hungarian|romanian|bulgarian|greek|turkish|russian|ukrainian|belarusian|lithuanian|latvian|estonian|georgian|armenian|chechen|kazakh|uzbek|afghan|pakistani|indian|bangladeshi|sri lankan|nepali|chinese|japanese|korean|vietnamese|thai|cambodian|laotian|burmese|malaysian|indonesian|filipino|australian|canadian|mexican|brazilian|argentine|argentinian|chilean|peruvian|colombian|venezuelan|cuban|haitian|jamaican|nigerian|ghanaian|kenyan|ethiopian|somali|egyptian|moroccan|algerian|tunisian|libyan|sudanese|south african|israeli|palestinian|lebanese|syrian|iraqi|iranian|saudis?|saudi arabian|yemeni|jordanian|kurdish|arab|arabs|jewish|jews?|muslims?|christians?|catholics?|protestants?|hindus?|buddhists?|sikhs?|sunnis?|shiites?|shias?|shiis|atheists?|mormons?|evangelicals?|democrats?|republicans?|conservatives?|liberals?|socialists?|communists?|libertarians?|latino|latina|latinx|hispanic|asian|african|european|caucasian)\b/g;

// Hoisted out of the candidate loop: a regular-expression literal is a new object each time it runs.
const POSSESSIVE = /['’]s$/;
const OTHER_SPACE = /[^\S ]/;
const ANY_SPACE = /\s/g;
const URLISH_BEFORE = /[@/.]$/;
const SENTENCE_START = /(?:^|[.!?:"“>\n]\s*)$/;
const HOUSE_NUMBER_BEFORE = /\d+[A-Za-z]?\.?,?\s+$/;
const UNIT_BEFORE = /\b(?:apt|suite|unit)\.?\s+\S+\s+$/i;
const COMMA_BEFORE = /,\s*$/;
const REGION_AFTER = /^,\s*(?:[A-Z]{2}\b|[A-Z][a-z]+)/;

/** `word` without a trailing possessive `'s` / `’s`. */
function withoutPossessive(word: string): string {
  return POSSESSIVE.test(word) ? word.slice(0, -2) : word;
}

/** Whether `c` is one of RUN's letters or joiners (`'`, `’`, `-`); RUN's word separators are not. */
function isRunChar(c: number): boolean {
  return (
    (c >= 65 && c <= 90) ||
    (c >= 97 && c <= 122) ||
    (c >= 0xc0 && c <= 0xff && c !== 0xd7 && c !== 0xf7) ||
    c === 39 ||
    c === 0x2019 ||
    c === 45
  );
}

/** End of the word starting at `i` inside a RUN match ending at `runEnd`. */
function wordEndAt(text: string, i: number, runEnd: number): number {
  while (i < runEnd && isRunChar(text.charCodeAt(i))) i++;
  return i;
}

/** `/^[@.][a-z]/i` on the text after a candidate. */
function urlishAfter(text: string, end: number): boolean {
  const c = text.charCodeAt(end);
  if (c !== 64 && c !== 46) return false;
  const d = text.charCodeAt(end + 1) | 0x20;
  return d >= 97 && d <= 122;
}

/**
 * Whether the line holding a position has a digit before it, for positions asked in increasing
 * order: the text is read once, up to the latest position, however many are asked (one long line
 * with many candidates would otherwise be read back to its start for each, quadratic in its length).
 */
function digitOnLineReader(text: string): (start: number) => boolean {
  let read = 0;
  let lastDigit = -1;
  let lastNewline = -1;
  return (start) => {
    for (; read < start; read++) {
      const c = text.charCodeAt(read);
      if (c === 10) lastNewline = read;
      else if (c >= 48 && c <= 57) lastDigit = read;
    }
    return lastDigit > lastNewline;
  };
}

const LIMIT = 300;
const MAX_CANDIDATES = 20_000;

/** Find name-like runs and classify them as person, location or organisation. */
export function findNames(text: string, lower: string = text.toLowerCase()): RawFinding[] {
  const out: RawFinding[] = [];
  NRP.lastIndex = 0;
  const nrpIn = lower.length === text.length ? lower : text;
  for (let m = NRP.exec(nrpIn); m !== null && out.length < LIMIT; m = NRP.exec(nrpIn)) {
    out.push({
      type: 'pii.nrp',
      severity: 'info',
      confidence: 0.5,
      start: m.index,
      end: m.index + m[0].length,
      message: 'Nationality, religion or political group',
    });
  }
  RUN.lastIndex = 0;
  const digitOnLine = digitOnLineReader(text);
  // Bound the work on adversarial input (e.g. megabytes of base64, which is full of capitals).
  let candidates = 0;
  for (
    let m = RUN.exec(text);
    m !== null && out.length < LIMIT && candidates++ < MAX_CANDIDATES;
    m = RUN.exec(text)
  ) {
    // A run is words of RUN's letters separated by single other characters (whitespace); they are
    // walked by index rather than split into strings.
    const runEnd = m.index + m[0].length;
    let start = m.index;
    let wordEnd = wordEndAt(text, start, runEnd);
    let words = 1;
    for (let i = wordEnd; i < runEnd; i = wordEndAt(text, i + 1, runEnd)) words++;
    // Drop leading words that are only capitalised because they start the sentence.
    while (words > 0 && COMMON.has(withoutPossessive(text.slice(start, wordEnd).toLowerCase()))) {
      start = wordEnd + 1;
      words--;
      if (words > 0) wordEnd = wordEndAt(text, start, runEnd);
    }
    if (words === 0) continue;
    // The words joined by single spaces, as a split and join would give.
    let phrase = text.slice(start, runEnd);
    if (OTHER_SPACE.test(phrase)) phrase = phrase.replace(ANY_SPACE, ' ');
    const possessive = POSSESSIVE.test(phrase);
    if (possessive) phrase = phrase.slice(0, -2);
    if (phrase.length < 3) continue;
    const phraseLower = phrase.toLowerCase();
    if (COMMON.has(phraseLower)) continue;
    NRP.lastIndex = 0;
    if (NRP.test(phraseLower) && NRP.lastIndex === phrase.length) continue;
    const end = start + phrase.length;
    const before = text.slice(Math.max(0, start - 30), start);
    // Inside an e-mail address or a URL: not a name on its own.
    if (URLISH_BEFORE.test(before) || urlishAfter(text, end) || isAsciiAlnum(text.charCodeAt(end))) continue;
    const sentenceStart = SENTENCE_START.test(before);
    // Address blocks: after a house number or zip, after "Apt/Suite", or after a comma in a line with digits.
    const addressLike =
      HOUSE_NUMBER_BEFORE.test(before) ||
      UNIT_BEFORE.test(before) ||
      (COMMA_BEFORE.test(before) && digitOnLine(start));
    let type: string;
    let confidence = 0.45;
    if (ORG_SUFFIX.test(phrase)) type = 'pii.organization';
    else if (
      addressLike ||
      PLACE_WORD.test(phrase) ||
      PLACE_BEFORE.test(before) ||
      REGION_AFTER.test(text.slice(end, end + 12))
    )
      type = 'pii.location';
    else if (PERSON_BEFORE.test(before) || possessive || words >= 2) {
      type = 'pii.person';
      confidence = PERSON_BEFORE.test(before) ? 0.6 : 0.45;
    } else if (!sentenceStart) type = 'pii.person';
    else continue;
    out.push({
      type,
      severity: 'info',
      confidence,
      start,
      end,
      message: type === 'pii.person' ? 'Person name' : type === 'pii.location' ? 'Place' : 'Organisation',
    });
  }
  return out;
}
