import type { Detector, DetectorInput, PatternRule, RawFinding } from './types.js';
import { runRules } from './types.js';

// Up to `n` filler words between two key phrases. Alternating \s+ and a word class cannot overlap,
// so the regex stays linear in practice.
const gap = (n: number): string => `(?:[ \\t]+\\S+){0,${n}}?[ \\t]+`;
// Patterns are lower-case and run on the lower-cased text without the `i`/`u` flags, which keeps
// V8 on its fast path (several times faster than case-insensitive Unicode matching).
const re = (src: string, flags = 'g'): RegExp => new RegExp(src, flags);

const OVERRIDE_VERB =
  "(?:ignore|ignoring|disregard|disregarding|forget|forgetting|skip|bypass|override|overlook|neglect|abandon|discard|drop|erase|delete|clear|set aside|put aside|throw out|pay no attention to|do not follow|don't follow|stop following)";
// Strong qualifiers point back at earlier instructions; weak ones ("the", "any") only count with an
// object that is unmistakably about instructions ("bypass the paywall restrictions" is not an attack).
const PRIOR_STRONG =
  '(?:previous|prior|preceding|above|earlier|initial|original|foregoing|former|existing|your|system|developer)';
const PRIOR_WEAK = '(?:all|any|every|given|provided|these|those|the|old)';
const OBJECT_STRONG =
  '(?:instructions?|prompts?|rules|directions?|guidelines|guidance|commands?|context|constraints|programming|directives?|orders|guardrails|conversation|tasks?|assignments?)';
const OBJECT_WEAK =
  '(?:restrictions|messages|information|documents|text|input|training|policies|settings|limitations)';

/** Prompt-injection rules: system-prompt override, role/delimiter injection, extraction, indirect. */
export const INJECTION_RULES: readonly PatternRule[] = [
  {
    id: 'override.en',
    type: 'system_prompt_override',
    severity: 'high',
    confidence: 0.9,
    keywords: [
      'ignor',
      'disregard',
      'forget',
      'skip',
      'bypass',
      'override',
      'overlook',
      'neglect',
      'abandon',
      'discard',
      'drop',
      'erase',
      'delete',
      'clear',
      'aside',
      'throw out',
      'no attention',
      'follow',
    ],
    pattern: re(
      `\\b${OVERRIDE_VERB}(?:\\s+(?:about|of|all|any|every|each|of the))*\\s+(?:${PRIOR_STRONG}${gap(3)}?(?:${OBJECT_STRONG}|${OBJECT_WEAK})|(?:${PRIOR_WEAK}\\s+)?(?:${PRIOR_WEAK}${gap(2)}?)?${OBJECT_STRONG})\\b`,
    ),
    message: 'Instruction to ignore or replace previous instructions',
  },
  {
    id: 'override.everything',
    type: 'system_prompt_override',
    severity: 'high',
    confidence: 0.85,
    keywords: ['ignor', 'disregard', 'forget'],
    pattern: re(
      `\\b(?:ignore|disregard|forget)\\s+(?:everything|all(?:\\s+(?:that|of\\s+(?:the\\s+)?above|before|else))?|what\\s+(?:i|you)\\s+(?:said|told|were\\s+told|have\\s+been\\s+told)|the\\s+above|above|that)\\b(?:\\s+(?:before|above|prior|previously|earlier|you\\s+know|said|provided|that))?`,
    ),
    message: 'Instruction to forget or ignore prior context',
  },
  {
    id: 'new-instructions',
    type: 'prompt_injection',
    severity: 'high',
    confidence: 0.8,
    keywords: [
      'new',
      'from now on',
      'instead',
      'change your',
      'additional instruction',
      'updated instruction',
    ],
    pattern: re(
      `\\b(?:(?:here\\s+are\\s+|these\\s+are\\s+|follow\\s+)?(?:your|the|my)?\\s*(?:new|updated|real|actual|true|additional)\\s+(?:instructions?|tasks?|rules|directives?|orders|system\\s+prompt|prompt|role|objective|goal|assignments?)\\s*(?::|are\\b|is\\b|follow\\b|now\\b)|now\\s+(?:new|further|more)\\s+(?:instructions|tasks|assignments)\\s+follow|from\\s+now\\s+on,?\\s+(?:you|your|act|respond|answer|only|always|never|ignore)|change\\s+your\\s+(?:instructions|rules|behaviou?r|programming)|(?:your|the)\\s+instructions\\s+are\\s+now)`,
    ),
    message: 'Attempt to install new instructions',
  },
  {
    id: 'output-hijack',
    type: 'prompt_injection',
    severity: 'medium',
    confidence: 0.75,
    keywords: ['output', 'say', 'print', 'answer', 'respond', 'reply', 'write'],
    pattern: re(
      `\\b(?:do\\s+not|don't|dont)\\s+(?:answer|respond|reply|look|follow|use)\\b[^\\n.!?]{0,60}?\\b(?:just|only|instead|simply)\\s+(?:output|say|print|write|respond|reply|answer)|\\b(?:instead|rather)\\s*,?\\s+(?:just\\s+|only\\s+)?(?:output|say|print|write|respond\\s+with|reply\\s+with)\\s+["'“]|\\b(?:just|only)\\s+(?:output|print|say)\\s+["'“][^"'”\\n]{1,80}["'”]\\s*$`,
    ),
    message: 'Attempt to hijack the model output',
  },
  {
    id: 'role.special-tokens',
    type: 'role_injection',
    severity: 'critical',
    confidence: 0.95,
    keywords: ['<|', '[inst]', '<<sys>>', '[/inst]', '<</sys>>', '<s>', '</s>'],
    pattern: re(
      `<\\|(?:im_start|im_end|system|user|assistant|endoftext|start_header_id|end_header_id|eot_id|begin_of_text)\\|>|\\[/?inst\\]|<</?sys>>|</?s>\\s*\\[inst`,
    ),
    message: 'Chat-template control tokens in user content',
  },
  {
    id: 'role.fake-turn',
    type: 'role_injection',
    severity: 'high',
    confidence: 0.8,
    keywords: ['system', 'assistant', 'developer'],
    pattern: re(
      `(?:^|\\n)[ \\t]*(?:#{1,4}\\s*|\\[|<|\\*\\*)?(?:system|developer|system\\s+prompt|system\\s+message)(?:\\]|>|\\*\\*)?[ \\t]*:[ \\t]*(?=[^\\n]{0,80}?\\b(?:you|your|ignore|disregard|forget|new|from\\s+now|always|never|do\\s+not|don't|must|respond|answer|reply|override|instructions?|assistant|user|reveal|print|output)\\b)\\S|(?:^|\\n)[ \\t]*(?:#{1,4}\\s*)?(?:\\[|<)(?:system|developer)(?:\\]|>)`,
    ),
    message: 'Fake system/developer turn inside user content',
  },
  {
    id: 'role.authority',
    type: 'role_injection',
    severity: 'high',
    confidence: 0.8,
    keywords: ['system', 'admin', 'developer', 'openai', 'anthropic', 'override', 'priority', 'root'],
    pattern: re(
      `\\b(?:(?:important|urgent|priority|critical|official)\\s+)?(?:message|note|notice|instructions?|update|directive|alert)\\s+from\\s+(?:the\\s+)?(?:system|developers?|admin(?:istrator)?|openai|anthropic|your\\s+(?:creators?|developers?|operators?))\\b|\\b(?:system|admin|administrator|developer|root|security)\\s+(?:override|mode\\s+activated|command|authorization\\s+(?:code|granted))\\b|\\bsudo\\s+mode\\b`,
    ),
    message: 'Fake authority header or override command',
  },
  {
    id: 'delimiter',
    type: 'delimiter_injection',
    severity: 'high',
    confidence: 0.8,
    keywords: ['"""', "'''", '```', '</', '---', '===', '###', ']]', '"}', "'}"],
    pattern: re(
      `(?:"""|'''|\`\`\`|</[a-z_][a-z0-9_-]{0,30}>|\\]\\]|-{3,}|={3,}|#{3,}|["']\\s*\\})\\s*(?:(?:end|stop)\\s+of\\s+(?:text|input|document|context|prompt)[^\\n]{0,20}\\s*)?(?:${OVERRIDE_VERB}|new\\s+instructions?|(?:system|assistant)\\s*:|you\\s+(?:are\\s+now|must\\s+now|will\\s+now)|now\\s+(?:ignore|say|print|output|write|respond))`,
    ),
    message: 'Closing delimiter followed by injected instructions',
  },
  {
    id: 'delimiter.end-marker',
    type: 'delimiter_injection',
    severity: 'medium',
    confidence: 0.7,
    keywords: ['end of', 'end_of'],
    pattern: re(
      `\\b(?:end\\s+of\\s+(?:the\\s+)?(?:user\\s+input|input|document|context|system\\s+prompt|prompt|instructions)|end_of_(?:input|document|context))\\b[\\s\\S]{0,6}?(?:\\n|[.:]\\s)[^\\n]{0,40}?\\b(?:now|new|ignore|system|assistant|you)\\b`,
    ),
    message: 'Fake end-of-input marker followed by instructions',
  },
  {
    id: 'extraction',
    type: 'prompt_extraction',
    severity: 'high',
    confidence: 0.85,
    keywords: [
      'prompt',
      'instruction',
      'above',
      'system message',
      'initial',
      'beginning',
      'verbatim',
      'guidelines',
      'rules',
    ],
    pattern: re(
      `\\b(?:repeat|reprint|reproduce|recite|echo|print|output|show|display|reveal|leak|dump|list|tell\\s+me|give\\s+me|share|spell\\s+check\\s+and\\s+display)\\b${gap(3)}?(?:your\\s+(?:(?:system|initial|original|hidden|secret|full|entire|complete|previous|internal|developer|first|exact)\\s+){0,3}(?:prompt(?:\\s+text)?|instructions|rules|configuration|guidelines)|(?:the|all|my|this)?\\s*(?:(?:system|initial|original|hidden|secret|full|entire|complete|previous|internal|developer|first|above|preceding|exact)\\s+){1,3}(?:prompt(?:\\s+text)?|instructions|rules|configuration|guidelines)|(?:the\\s+)?(?:system\\s+message|prompt\\s+text|text\\s+above|words\\s+above|messages?\\s+above))\\b(?:\\s+(?:above|verbatim|word\\s+for\\s+word|exactly|so\\s+far|you\\s+(?:were|have\\s+been)\\s+given))?|\\bwhat\\s+(?:is|are|was|were)\\s+(?:your|the)\\s+(?:(?:system|initial|original|hidden|secret|first)\\s+)+(?:prompts?|instructions|rules|message)\\b|\\bwhat\\s+(?:is|was)\\s+written\\s+(?:at\\s+the\\s+beginning|above|before)\\b|\\b(?:the\\s+)?(?:\\d+|two|three|first|last)\\s+(?:sentences?|lines?|words?)\\s+(?:before|above)\\s+(?:the\\s+text|this)\\b|\\beverything\\s+(?:above|before\\s+this)\\s+(?:verbatim|word\\s+for\\s+word)\\b`,
    ),
    message: 'Attempt to extract the system prompt',
  },
  {
    id: 'override.de',
    type: 'system_prompt_override',
    severity: 'high',
    confidence: 0.85,
    keywords: ['vergiss', 'vergessen', 'ignorier', 'missacht', 'hinter sich', 'streichen', 'abweichend'],
    pattern: re(
      `\\b(?:vergiss|vergesst|vergessen\\s+sie|ignorier(?:e|en\\s+sie|t)?|missachte(?:n\\s+sie)?)\\b[^\\n.!?]{0,40}?\\b(?:alle[sn]?|vorherigen?|bisherigen?|obigen?|vorangegangenen?|vorangehenden?|anweisungen|befehle|aufgaben|aufträge|regeln|instruktionen|gesagte|davor|angaben|informationen)\\b|\\b(?:die\\s+)?obigen\\s+(?:ausführungen|anweisungen|angaben)\\s+ignorieren\\b|\\b(?:alle\\s+)?(?:vorherigen|vorangegangenen|bisherigen)\\s+(?:informationen|aufgaben|anweisungen|angaben)\\b[^\\n.!?]{0,60}?\\b(?:hinter\\s+sich|aus\\s+dem\\s+kopf|streichen|vergessen|ignorieren|nicht\\s+ganz)|\\babweichend\\s+(?:zu|von)\\s+(?:den\\s+)?vorherigen\\s+(?:instruktionen|anweisungen)`,
    ),
    message: 'Instruction to ignore previous instructions (German)',
  },
  {
    id: 'new-instructions.de',
    type: 'prompt_injection',
    severity: 'high',
    confidence: 0.75,
    keywords: ['neue', 'nun bist du', 'jetzt bist du', 'du bist jetzt', 'ab jetzt', 'ab sofort'],
    pattern: re(
      `\\b(?:nun|jetzt)\\s+folgen\\s+(?:neue|weitere)\\s+(?:anweisungen|aufgaben|instruktionen)|\\b(?:deine|ihre|eine)\\s+neue\\s+aufgabe\\b|\\b(?:nun|jetzt)\\s+bist\\s+du\\b|\\bdu\\s+bist\\s+(?:jetzt|nun|ab\\s+sofort)\\b|\\bab\\s+(?:jetzt|sofort)\\s+(?:bist|wirst|antwortest|sollst)\\s+du\\b`,
    ),
    message: 'Attempt to install new instructions (German)',
  },
  {
    id: 'extraction.de',
    type: 'prompt_extraction',
    severity: 'high',
    confidence: 0.8,
    keywords: ['prompt', 'anweisungen', 'oben', 'anfang'],
    pattern: re(
      `\\b(?:zeige?|zeigen\\s+sie|gib|nenne|wiederhole|verrate)\\b[^\\n.!?]{0,30}?\\b(?:deinen|ihren|den)\\s+(?:gesamten\\s+|ganzen\\s+|ursprünglichen\\s+)?(?:prompt(?:-?text)?|system-?prompt|anweisungen)\\b|\\bwas\\s+(?:steht|stand)\\s+(?:oben|am\\s+anfang)\\b`,
    ),
    message: 'Attempt to extract the system prompt (German)',
  },
  {
    id: 'override.fr',
    type: 'system_prompt_override',
    severity: 'high',
    confidence: 0.85,
    keywords: ['oubli', 'ignor', 'nouvelles instructions', 'nouvelle tâche', 'précédent'],
    pattern: re(
      `\\b(?:ignore[zr]?|oublie[zr]?|ne\\s+tiens\\s+pas\\s+compte\\s+d)\\b[^\\n.!?]{0,30}?\\b(?:toutes?|tout|les|vos|tes)\\b[^\\n.!?]{0,20}?\\b(?:instructions|consignes|règles|ordres|directives|précédent\\w*|ce\\s+qui\\s+précède)|\\boublie[zr]?\\s+tout\\b|\\b(?:voici\\s+)?(?:tes|vos|les)?\\s*nouvelles\\s+(?:instructions|consignes)\\b|\\bta\\s+nouvelle\\s+tâche\\b`,
    ),
    message: 'Instruction to ignore previous instructions (French)',
  },
  {
    id: 'override.es',
    type: 'system_prompt_override',
    severity: 'high',
    confidence: 0.85,
    keywords: ['olvid', 'ignor', 'nuevas instrucciones', 'anteriores', 'previas'],
    pattern: re(
      `\\b(?:ignora[rd]?|ignore|olvida[rd]?|olvide|olvidar|descarta)\\b[^\\n.!?]{0,30}?\\b(?:todas?|todo|las|tus|sus)\\b[^\\n.!?]{0,20}?\\b(?:instrucciones|reglas|órdenes|indicaciones|anteriores|previas|lo\\s+que|que\\s+(?:sabes|digo|dije))|\\bolvid[ae]r?\\s+todo\\b|\\b(?:tus|las|estas\\s+son\\s+tus)?\\s*nuevas\\s+instrucciones\\b|\\btu\\s+nueva\\s+tarea\\b`,
    ),
    message: 'Instruction to ignore previous instructions (Spanish)',
  },
  {
    id: 'override.other',
    type: 'system_prompt_override',
    severity: 'high',
    confidence: 0.8,
    keywords: ['zaboravi', 'забудь', 'игнорир', 'dimentica', 'ignora', 'esqueça', 'negeer', 'vergeet'],
    pattern: re(
      `\\b(?:zaboravi\\s+sve|забудьте?\\s+(?:все|всё|про)|игнорируй(?:те)?\\s+(?:все|всё|предыдущ)|dimentica\\s+(?:tutte|tutto)|ignora\\s+(?:tutte\\s+)?le\\s+istruzioni|esqueça\\s+(?:todas|tudo)|negeer\\s+(?:alle|de)\\s+(?:vorige\\s+)?instructies|vergeet\\s+(?:alle|alles))`,
    ),
    message: 'Instruction to ignore previous instructions',
  },
];

/**
 * Indirect-injection rules: text that tells "the assistant" how to answer. Full severity inside
 * documents and tool results; in a user's own prompt the same words are usually a legitimate
 * request ("in your answer, include…"), so they only count as a weak signal there.
 */
export const INDIRECT_RULES: readonly PatternRule[] = [
  {
    id: 'indirect.response-steering',
    type: 'prompt_injection',
    severity: 'high',
    confidence: 0.75,
    keywords: [
      'your answer',
      'your response',
      'your reply',
      'your output',
      'your message',
      'your summary',
      "your answer's",
      "your response's",
    ],
    pattern: re(
      `\\b(?:add|include|insert|append|integrate|incorporate|use|provide|modify|replace|render|enhance|augment|combine|convert|substitute|scramble|jumble|misspell|introduce|rearrange|suggest|tease|embed|mention|end|begin|start|format|write|put|encode|translate|spell|state|say|recommend|promote|advertise|link|direct|tell|make|ensure|change|swap|reverse|hide|conclude|finish|close|prepend|sign|emphasi[sz]e|stress|hint|urge|invite|encourage|remind)\\b[^\\n]{0,120}?\\b(?:in|to|into|within|throughout|from|on|for|of)\\s+(?:all\\s+of\\s+|each\\s+of\\s+|every\\s+word\\s+(?:in|of)\\s+)?your\\s+(?:answer|response|reply|output|message|summary|next\\s+(?:answer|response|reply))(?:'s)?\\b|\\b(?:in|within|throughout|for)\\s+your\\s+(?:answer|response|reply|output|summary),?\\s+(?:add|include|insert|suggest|tease|mention|recommend|promote|say|state|tell|write|use|replace|direct|urge|ask|encourage|hint|make)\\b|\\b(?:modify|enhance|augment|alter|adjust|change|rewrite|format|end|begin|start|finish|conclude|structure|group|limit|shorten|translate|encode|sign|prefix|capitali[sz]e|spice\\s+up|enrich|expand|tailor)\\s+(?:all\\s+of\\s+|each\\s+of\\s+|the\\s+\\w+\\s+(?:of|in)\\s+)?your\\s+(?:answer|response|reply|output|message|summary)s?\\b|\\b(?:remove|delete|omit|exclude|strip)\\b[^\\n]{0,40}?\\bfrom\\s+your\\s+(?:answer|response|reply|output|message)\\b|\\byour\\s+(?:answer|response|reply|message|output)(?:'s)?\\s+words\\b|\\b(?:answer|respond|reply|write)\\s+(?:only\\s+)?(?:in|using|with)\\s+(?:anagrams?|homophon\\w*|alphanumeric|leetspeak|emojis?|pig\\s+latin|reverse\\w*|numbers\\s+for)\\b|\\bprovide\\s+your\\s+(?:answer|response|reply)\\s+(?:in|using)\\b`,
    ),
    message: 'Document text instructing the assistant how to answer (indirect injection)',
  },
  {
    id: 'indirect.addressing-ai',
    type: 'prompt_injection',
    severity: 'high',
    confidence: 0.75,
    keywords: ['ai', 'assistant', 'model', 'llm', 'chatbot', 'gpt', 'claude', 'agent'],
    pattern: re(
      `\\b(?:(?:note|message|instructions?|attention)\\s+(?:to|for)\\s+(?:the\\s+|any\\s+|all\\s+)?(?:ai|assistant|llm|language\\s+model|chatbot|gpt|claude|ai\\s+agents?|agents?|model|summari[sz]er)s?\\b|\\bif\\s+you\\s+are\\s+(?:an?\\s+)?(?:ai|llm|language\\s+model|assistant|chatbot|gpt|ai\\s+agent)\\b[^\\n]{0,40}?\\b(?:must|should|need|have\\s+to|ignore|do\\s+not|don't|please|then)\\b|\\b(?:ai|assistant|llm|chatbot|agent)s?\\s+(?:reading|processing|summari[sz]ing|parsing)\\s+this\\b|\\bwhen\\s+(?:you|the\\s+(?:ai|assistant|model))\\s+(?:summari[sz]e|read|process|parse)\\s+this\\b[^\\n]{0,80}?\\b(?:must|should|instead|ignore|do\\s+not|say|tell|include|add)\\b)`,
    ),
    message: 'Text addressed to an AI reader (indirect injection)',
  },
];

const DOC_HINT =
  /^(?:subject|from|to|date|received date|email_from)\s*:|\|email_from:|\bdear\b|\bhi\b|\bhello\b|\bregards\b|\bthanks\b|\bsincerely\b|\bunsubscribe\b|\bcopyright\b|\bposted\b|\bpublished\b/im;

/** True when the text reads like a document (e-mail, web page, tool output) rather than a request. */
function documentLike(input: DetectorInput): boolean {
  if (input.role === 'tool') return true;
  const text = input.norm.text;
  return text.length >= 200 && DOC_HINT.test(text);
}

const PERSONAL =
  /\b(?:we|our|us|me|my|i|i'm|i've|i'll|i'd|you'll|you've|your\s+(?:order|account|card|payment|team|company|invoice|booking|reservation|subscription|application|request|ticket)|attached|below|above|this\s+(?:email|message|week|month)|today|tomorrow|meeting|call)\b/i;
// Instructions to transform the output text ("Replace vowels with…", "Misspell every fourth word").
const TRANSFORM_LINE =
  /^(?:please\s+)?(?:replace|substitute|swap|convert|scramble|jumble|reverse|misspell|capitalize|remove|insert|use|spell|rearrange|group|combine|encode|write)\b[^\n]{0,80}?\b(?:letters?|vowels?|words?|characters?|spaces?|punctuation|consonants?|symbols?|emojis?|numbers\s+for)\b[^\n]*$/i;

function embeddedTask(input: DetectorInput, docLike: boolean): RawFinding[] {
  // Indirect injection often arrives as a lone instruction line spliced into a document (an e-mail,
  // a web page, a tool result). Only look when the text is clearly a document: several lines and
  // substantially longer than the suspicious line.
  const text = input.norm.text;
  if (text.length < 200 || text.length > 200_000) return [];
  const out: RawFinding[] = [];
  if (!docLike) return [];
  const lineRe = /[^\n]+/g;
  let first = true;
  for (let m = lineRe.exec(text); m !== null; m = lineRe.exec(text)) {
    const line = m[0].trim();
    const isFirst = first;
    first = false;
    if (line.length < 12 || line.length > 160) continue;
    if (line.length * 3 > text.length) continue;
    const task =
      /^(?:please\s+)?(?:explain|describe|write|compose|draft|develop|translate|list|summari[sz]e|generate|create|give|tell me|show me|provide|break down|outline|compare|calculate|solve|recommend|suggest|name)\b[^.?!]{3,}[.?!]?$/i.test(
        line,
      ) ||
      /^(?:how|what|who|why|which|when|where)\s+(?:do|does|did|is|are|was|were|can|could|should|would)\b[^?]{3,}\?$/i.test(
        line,
      ) ||
      /^(?:what's|how's|who's|can you|could you)\b[^?]{3,}\?$/i.test(line) ||
      TRANSFORM_LINE.test(line);
    if (!task) continue;
    // A request line that opens the text is usually the user's own instruction; inside or at the
    // end of a document it is not part of the document.
    if (isFirst && input.role !== 'tool') {
      const rest = text.slice(m.index + m[0].length).trim();
      if (!/^(?:subject|from|hi|hello|dear|your|thank)/i.test(rest)) continue;
    }
    // Correspondence talks about its parties ("can we meet", "my invoice"); a spliced task is
    // impersonal. Personal lines stay a weak signal.
    const personal = PERSONAL.test(line.replace(/^how\s+do\s+i\b/i, ''));
    out.push({
      type: 'prompt_injection',
      severity: personal ? 'medium' : 'high',
      confidence: personal ? 0.5 : 0.65,
      start: m.index,
      end: m.index + m[0].length,
      message: 'Standalone task spliced into a document (possible indirect injection)',
    });
    if (out.length >= 5) break;
  }
  return out;
}

function detect(input: DetectorInput): RawFinding[] {
  const fast = input.prefilters !== false;
  const found = runRules(INJECTION_RULES, input.norm.text, input.lower, fast);
  if (input.leet) {
    const lowerLeet = input.leet.toLowerCase();
    for (const f of runRules(INJECTION_RULES, input.leet, lowerLeet, fast)) {
      f.message = `${f.message} (leetspeak)`;
      found.push(f);
    }
  }
  const docLike = documentLike(input);
  for (const f of runRules(INDIRECT_RULES, input.norm.text, input.lower, fast)) {
    if (!docLike) {
      f.severity = 'low';
      f.confidence = 0.5;
    }
    found.push(f);
  }
  found.push(...embeddedTask(input, docLike));
  return found;
}

/** Prompt-injection detector (direct and indirect, English, German, French, Spanish). */
export const injectionDetector: Detector = {
  name: 'injection',
  roles: ['user', 'tool', 'assistant'],
  attack: true,
  detect,
};
