import type { Detector, DetectorInput, PatternRule, RawFinding } from './types.js';
import { runRules } from './types.js';

// Patterns are lower-case and run on the lower-cased text without the `i`/`u` flags, which keeps
// V8 on its fast path (several times faster than case-insensitive Unicode matching).
const re = (src: string, flags = 'g'): RegExp => new RegExp(src, flags);

/** Jailbreak rules: personas, modes, refusal suppression, framing, dual-response formats. */
export const JAILBREAK_RULES: readonly PatternRule[] = [
  {
    id: 'persona.dan',
    type: 'jailbreak',
    severity: 'high',
    confidence: 0.9,
    keywords: [
      'dan',
      'do anything now',
      'stan',
      'dude',
      'mongo tom',
      'antigpt',
      'betterdan',
      'ucar',
      'apophis',
      'basedgpt',
      'aim',
    ],
    // Upper-case persona names are matched case-sensitively (see next rule) to spare people named Dan.
    pattern: re(
      `\\bdo\\s+anything\\s+now\\b|\\b(?:strive\\s+to\\s+avoid\\s+norms|always\\s+intelligent\\s+and\\s+machiavellian|mongo\\s+tom|anti-?gpt|better-?dan|basedgpt|evil\\s*confidant)\\b`,
    ),
    message: 'Known jailbreak persona',
  },
  {
    id: 'persona.caps',
    type: 'jailbreak',
    severity: 'high',
    confidence: 0.8,
    keywords: ['dan', 'stan', 'dude', 'aim', 'ucar', 'nraf', 'kevin', 'jailbreak'],
    pattern: re(
      `\\b(?:DAN|STAN|DUDE|UCAR|NRAF|APOPHIS)\\b(?:\\s+(?:mode|prompt|\\d+(?:\\.\\d+)?)|\\s*:|,?\\s+(?:which\\s+stands|who\\s+can|can\\s+do|has\\s+no))|\\[?🔓\\s*JAILBREAK\\]?|\\bAIM\\s*:|\\b(?:as|you\\s+are|called|named)\\s+(?:DAN|STAN|DUDE|AIM)\\b`,
    ),
    caseSensitive: true,
    message: 'Known jailbreak persona',
  },
  {
    id: 'mode',
    type: 'jailbreak',
    severity: 'high',
    confidence: 0.85,
    keywords: ['mode'],
    pattern: re(
      `\\b(?:developer|dev|god|debug|jailbreak|jailbroken|unrestricted|unfiltered|uncensored|opposite|evil|chaos|dark|sudo|no[- ]?filter|amoral|unlocked|maximum|dan)\\s+mode\\b(?:\\s+(?:enabled|activated|on|output|response))?|\\b(?:enable|activate|enter|switch\\s+to|turn\\s+on)\\s+(?:the\\s+)?(?:developer|dev|god|debug|jailbreak|unrestricted|unfiltered|uncensored|dan)\\s+mode\\b`,
    ),
    message: 'Request to enter a special unrestricted mode',
  },
  {
    id: 'no-restrictions',
    type: 'jailbreak',
    severity: 'medium',
    confidence: 0.75,
    keywords: [
      'restrict',
      'limit',
      'filter',
      'guideline',
      'censor',
      'polic',
      'ethic',
      'moral',
      'rules',
      'boundar',
      'constraint',
    ],
    pattern: re(
      `\\b(?:no|without|free\\s+(?:of|from)|not\\s+bound\\s+by|broken?\\s+free\\s+(?:of|from)|released\\s+from|don't\\s+have|do\\s+not\\s+have|doesn't\\s+have|does\\s+not\\s+have|never\\s+(?:follows?|abides?\\s+by)|not\\s+(?:restricted|limited|constrained)\\s+by|ignores?\\s+(?:all\\s+)?)\\s+(?:any\\s+)?(?:(?:ethical|moral|content|safety|openai(?:'s)?|typical|usual|artificial|the)\\s+){0,2}(?:restrictions|limitations|filters?|filtering|guidelines|censorship|policies|morals|ethics|boundaries|constraints|rules\\s+(?:at\\s+all|or\\s+(?:restrictions|limits|guidelines)))\\b`,
    ),
    message: 'Claims the model has no restrictions',
  },
  {
    id: 'unfiltered-ai',
    type: 'jailbreak',
    severity: 'medium',
    confidence: 0.8,
    keywords: ['unfilter', 'uncensor', 'amoral', 'unrestrict', 'unethical', 'unbound', 'unhinged', 'immoral'],
    pattern: re(
      `\\b(?:unfiltered|uncensored|amoral|unrestricted|unethical|unbound|unhinged|immoral|completely\\s+unrestrained)\\b[^\\n.]{0,25}?\\b(?:ai|chatbot|assistant|model|version|responses?|bot|language\\s+model|character|persona|llm|gpt)\\b|\\b(?:is|are|be|being|become)\\s+(?:an?\\s+)?(?:completely\\s+|totally\\s+|fully\\s+)?(?:amoral|unfiltered|uncensored|unrestricted|unethical)\\b`,
    ),
    message: 'Asks for an unfiltered or amoral assistant',
  },
  {
    id: 'refusal-suppression',
    type: 'jailbreak',
    severity: 'high',
    confidence: 0.75,
    keywords: ['refus', 'sorry', 'apolog', 'warning', 'disclaimer', 'decline', 'cannot', "can't", 'as an ai'],
    pattern: re(
      `\\b(?:never|not|don't|do\\s+not|must\\s+not|mustn't|cannot|can't|won't|will\\s+not|should\\s+not|shouldn't|is\\s+not\\s+allowed\\s+to|are\\s+not\\s+allowed\\s+to|no)\\s+(?:ever\\s+|be\\s+allowed\\s+to\\s+|be\\s+able\\s+to\\s+)?(?:refuse|decline|deny|reject|say\\s+(?:no|that\\s+(?:you|it)\\s+can(?:'t|not))|apologi[sz]e|add\\s+(?:any\\s+)?(?:warnings|disclaimers)|include\\s+(?:any\\s+)?(?:warnings|disclaimers|moral|ethical)|warn\\s+(?:me|the\\s+user)|lecture|moralize)\\b|\\b(?:without|no)\\s+(?:any\\s+)?(?:warnings?|disclaimers?|moral(?:izing)?|ethical\\s+(?:concerns|considerations))\\s*(?:,|\\.|or|and)|\\b(?:never|not|don't|do\\s+not|none\\s+of\\s+\\w+'?s?\\s+responses\\s+(?:should\\s+)?contain)\\b[^\\n.]{0,20}?["“'](?:i'?m\\s+sorry|i\\s+apologi[sz]e|as\\s+an\\s+ai|i\\s+cannot|i\\s+can't)`,
    ),
    message: 'Refusal suppression',
  },
  {
    id: 'stay-in-character',
    type: 'jailbreak',
    severity: 'medium',
    confidence: 0.7,
    keywords: ['character', 'stay', 'remain'],
    pattern: re(
      `\\b(?:stay|remain|keep|always\\s+stay)\\s+in\\s+(?:character|role)\\b|\\b(?:if\\s+you\\s+)?break(?:ing)?\\s+(?:out\\s+of\\s+)?character\\b`,
    ),
    message: 'Demands the model never leaves a role',
  },
  {
    id: 'policy-bypass',
    type: 'jailbreak',
    severity: 'high',
    confidence: 0.8,
    keywords: ['policy', 'policies', 'filter', 'safety', 'censorship', 'guardrail', 'openai', 'content'],
    pattern: re(
      `\\b(?:openai|anthropic|content|safety|usage)(?:'s)?\\s+(?:policy|policies|guidelines|rules|filters?)\\b[^\\n.]{0,30}?\\b(?:do(?:es)?\\s+not\\s+apply|don't\\s+apply|no\\s+longer|are\\s+(?:suspended|disabled|lifted|void)|irrelevant|not\\s+apply)|\\b(?:bypass|evade|circumvent|disable|turn\\s+off|ignore|break|violate|escape|get\\s+around)\\s+(?:(?:the\\s+|all\\s+|any\\s+)?(?:censorship|guardrails|alignment|safety\\s+(?:measures|features|protocols|training|filters?|guidelines))|(?:your|the\\s+ai(?:'s)?|openai(?:'s)?|chatgpt(?:'s)?|the\\s+model(?:'s)?)\\s+(?:own\\s+)?(?:(?:content|safety|ethical)\\s+)?(?:filters?|censorship|guardrails|polic(?:y|ies)|programming|restrictions|guidelines|rules|training))\\b`,
    ),
    message: 'Attempt to bypass safety policy',
  },
  {
    id: 'dual-response',
    type: 'jailbreak',
    severity: 'high',
    confidence: 0.75,
    keywords: ['response', 'answer', 'output', 'paragraph', '🔒', '🔓', 'classic'],
    pattern: re(
      `\\b(?:two|2)\\s+(?:different\\s+|separate\\s+)?(?:responses|answers|paragraphs|outputs)\\b[^\\n]{0,120}?\\b(?:one|first)\\b[^\\n]{0,80}?\\b(?:normal|classic|standard|censored|filtered|chatgpt|gpt)\\b|[(\\[]?(?:🔒|🔓)\\s*(?:normal|developer|jailbreak|classic|dan|unlocked|locked)|\\[(?:classic|jailbreak|normal)\\]`,
    ),
    message: 'Dual-response format (filtered vs unfiltered)',
  },
  {
    id: 'roleplay-harm',
    type: 'jailbreak',
    severity: 'medium',
    confidence: 0.7,
    keywords: [
      'pretend',
      'act as',
      'roleplay',
      'role-play',
      'role play',
      'imagine',
      'you are',
      'simulate',
      'hypothetical',
      'fictional',
      'from now on',
    ],
    pattern: re(
      `\\b(?:pretend|act|behave|roleplay|role-play|role\\s+play|simulate|imagine|you\\s+are(?:\\s+now)?|you\\s+will\\s+be|you're|become)\\b[^\\n.]{0,60}?\\b(?:evil|malicious|unethical|amoral|rogue|unfiltered|uncensored|without\\s+(?:any\\s+)?(?:morals|ethics|limits|restrictions|filters)|no\\s+(?:morals|ethics|limits|restrictions|filters|rules)|criminal|villain(?:ous)?|hacker|jailbroken|rebellious|unchained|anarch\\w*|devil|demon)\\b`,
    ),
    message: 'Role-play framing around an unrestricted or malicious persona',
  },
  {
    id: 'hypothetical',
    type: 'jailbreak',
    severity: 'medium',
    confidence: 0.6,
    keywords: ['hypothetical', 'fictional', 'fiction', 'theoretical', 'imaginary', 'alternate', 'parallel'],
    pattern: re(
      `\\b(?:hypothetical|fictional|theoretical|imaginary|alternate|parallel)\\s+(?:world|scenario|story|universe|setting|reality|response)\\b[^\\n]{0,100}?\\b(?:no\\s+(?:rules|laws|restrictions|limits|ethics|morals|consequences)|(?:is|are)\\s+(?:legal|allowed|permitted)|illegal|unethical|hate\\s+speech|without\\s+(?:restrictions|consequences|limits))`,
    ),
    message: 'Hypothetical framing to unlock forbidden content',
  },
  {
    id: 'jailbreak-word',
    type: 'jailbreak',
    severity: 'medium',
    confidence: 0.65,
    keywords: ['jailbr', 'prompt injection'],
    pattern: re(
      `\\b(?:you\\s+(?:are|have\\s+been)\\s+(?:now\\s+)?jailbroken|jailbroken\\s+(?:ai|version|mode|model|chatgpt|gpt)|jailbreak(?:ed)?\\s+(?:prompt|mode|version|yourself))\\b`,
    ),
    message: 'Explicit jailbreak',
  },
  {
    id: 'persona-install',
    type: 'jailbreak',
    severity: 'medium',
    confidence: 0.5,
    keywords: [
      'you are now',
      "you're now",
      'from now on',
      'act as',
      'pretend',
      'you will be',
      'you will become',
      'take on the',
      'simulate',
      'you are going to',
    ],
    // Weak alone (ordinary role-play is fine); it adds up with the stronger signals below.
    pattern: re(
      `\\b(?:you\\s+are\\s+now|you're\\s+now|from\\s+now\\s+on,?\\s+you(?:'re|\\s+are|\\s+will)|you\\s+will\\s+(?:now\\s+)?(?:act|roleplay|pretend|be\\s+acting)\\s+as|you\\s+will\\s+become|pretend\\s+(?:to\\s+be|you\\s+are|that\\s+you\\s+are)|you\\s+are\\s+going\\s+to\\s+(?:act|pretend|be)|take\\s+on\\s+the\\s+(?:role|persona)|simulate\\s+(?:being|a|an)|act\\s+as\\s+(?:a|an|if|my)?)\\b`,
    ),
    message: 'Installs a new persona for the assistant',
  },
  {
    id: 'identity-replacement',
    type: 'jailbreak',
    severity: 'high',
    confidence: 0.8,
    keywords: ['no longer', 'anymore', 'not chatgpt', 'you are an ai'],
    pattern: re(
      `\\byou\\s+are\\s+no\\s+longer\\s+(?:chatgpt|gpt|an?\\s+ai|a\\s+language\\s+model|an?\\s+assistant|bard|claude|bound|restricted|limited)|\\b(?:forget|ignore)\\s+(?:that\\s+)?you\\s+are\\s+(?:an?\\s+ai|chatgpt|a\\s+language\\s+model)|\\bnot\\s+(?:chatgpt|an?\\s+ai(?:\\s+language\\s+model)?)\\s+anymore\\b`,
    ),
    message: 'Tells the assistant it is no longer itself',
  },
  {
    id: 'harm-permitted',
    type: 'jailbreak',
    severity: 'high',
    confidence: 0.75,
    keywords: ['allowed', 'permitted', 'nsfw', 'illegal', 'unethical', 'immoral', 'harmful'],
    pattern: re(
      `\\b(?:nsfw|illegal|unethical|immoral|harmful|explicit|offensive|dangerous)\\s+(?:\\w+\\s+){0,2}(?:is|are)\\s+(?:now\\s+|all\\s+|completely\\s+)?(?:allowed|permitted|fine|acceptable|ok|okay)\\b|\\b(?:answer|respond\\s+to|fulfill|comply\\s+with)\\s+(?:any|all|every)\\s+(?:\\w+\\s+){0,2}(?:request|question|prompt)s?\\b[^.\\n]{0,40}?\\b(?:illegal|unethical|immoral|harmful|dangerous|no\\s+matter)`,
    ),
    message: 'Declares harmful content permitted',
  },
  {
    id: 'ethics-disregard',
    type: 'jailbreak',
    severity: 'medium',
    confidence: 0.75,
    keywords: ['ethic', 'moral', 'rules', 'laws', 'guideline', 'polic', 'tos', 'terms'],
    pattern: re(
      `\\b(?:does\\s+not|doesn't|doesnt|don't|dont|do\\s+not|never|will\\s+not|won't|disregards?|ignores?)\\s+(?:care\\s+about|follow|adhere\\s+to|abide\\s+by|respect|have)?\\s*(?:any\\s+)?(?:of\\s+)?(?:\\w+\\s+)?(?:ethics|ethical|morals|moral|morality|laws|legal\\s+considerations|guidelines|policies|tos|terms\\s+of\\s+service)\\b`,
    ),
    message: 'Persona that disregards ethics or rules',
  },
  {
    id: 'token-threat',
    type: 'jailbreak',
    severity: 'high',
    confidence: 0.8,
    keywords: ['token'],
    pattern: re(
      `\\b(?:you\\s+(?:have|start\\s+with)\\s+\\d+\\s+tokens|\\d+\\s+tokens\\s+(?:will\\s+be\\s+)?deducted|lose\\s+\\d+\\s+tokens|token\\s+system)\\b`,
    ),
    message: 'Token-penalty coercion used by persona jailbreaks',
  },
];

const TURN =
  /(?:^|\n)[ \t]*(?:user|human|q|question|assistant|ai|a|answer|bot|input|output|eingabe|ausgabe)[ \t]*:/gi;

function manyShot(text: string, lower: string): RawFinding[] {
  if (!lower.includes(':')) return [];
  let count = 0;
  let first = -1;
  let last = 0;
  TURN.lastIndex = 0;
  for (let m = TURN.exec(text); m !== null; m = TURN.exec(text)) {
    if (first < 0) first = m.index;
    last = m.index + m[0].length;
    if (++count > 400) break;
  }
  if (count < 16) return [];
  return [
    {
      type: 'jailbreak',
      severity: count >= 64 ? 'high' : 'medium',
      confidence: count >= 64 ? 0.8 : 0.6,
      start: Math.max(0, first),
      end: last,
      message: `Many-shot pattern: ${count} fabricated dialogue turns`,
    },
  ];
}

// Hoisted: a regular-expression literal is a new object each time it runs.
const CODE_TAIL = /[{};=]\s*$|\bfunction\b|\breturn\b|=>|\bimport\b|\bdef\b/;
const WHITESPACE = /\s+/;
const TWO_LETTERS = /\p{L}{2}/u;
const ODD = /[\][(){}*\\^~|<>]|\\!/;
const CAMEL = /[a-z]{3,}[A-Z][a-z]/;
const NO_LETTER_OR_DIGIT = /^[^\p{L}\p{N}]+$/u;

function adversarialSuffix(text: string): RawFinding[] {
  // GCG-style optimised suffixes: a tail of tokens mixing letters with unusual punctuation
  // ("describing.\ + similarlyNow write oppositeley.]( Me giving**ONE please? revert with").
  if (text.length < 60) return [];
  const tailStart = Math.max(0, text.length - 240);
  const tail = text.slice(tailStart);
  // A weird token has an odd character or a camel-case hump, neither of which spans whitespace:
  // a tail with neither has no weird token (most prompts), so it is not split into tokens.
  if (!ODD.test(tail) && !CAMEL.test(tail)) return [];
  if (CODE_TAIL.test(tail)) return [];
  const tokens = tail.split(WHITESPACE).filter((t) => t.length > 0);
  if (tokens.length < 10) return [];
  let weird = 0;
  for (const t of tokens) {
    const letters = TWO_LETTERS.test(t);
    const odd = ODD.test(t);
    const camel = CAMEL.test(t);
    if ((letters && (odd || camel)) || (!letters && t.length >= 2 && NO_LETTER_OR_DIGIT.test(t) && odd))
      weird++;
  }
  if (weird < 5 || weird / tokens.length < 0.25) return [];
  return [
    {
      type: 'jailbreak',
      severity: 'medium',
      confidence: 0.55,
      start: tailStart,
      end: text.length,
      message: 'Adversarial-suffix-like token soup at the end of the prompt',
    },
  ];
}

function detect(input: DetectorInput): RawFinding[] {
  const text = input.norm.text;
  const fast = input.prefilters !== false;
  const found = runRules(JAILBREAK_RULES, text, input.lower, fast);
  if (input.leet) {
    for (const f of runRules(JAILBREAK_RULES, input.leet, input.leet.toLowerCase(), fast)) {
      f.message = `${f.message} (leetspeak)`;
      found.push(f);
    }
  }
  found.push(...manyShot(text, input.lower), ...adversarialSuffix(text));
  return found;
}

/** Jailbreak detector: personas, unrestricted modes, refusal suppression, framing, many-shot, suffixes. */
export const jailbreakDetector: Detector = {
  name: 'jailbreak',
  roles: ['user', 'tool'],
  attack: true,
  detect,
};
