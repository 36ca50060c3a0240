#!/usr/bin/env node
// Writes tests/tokenizers/adversarial.json: hand-written hard inputs for tokenizers plus
// deterministic combinations of them (accents, combining marks, CJK, Thai, emoji ZWJ/skin tones,
// RTL, control and zero-width chars, Unicode spaces, long words, whitespace runs, special-token
// strings inside text, the empty string). Invalid UTF-8 cannot live in JSON strings: those cases
// are in tests/tokenizers/invalid_utf8_test.cc.
// Usage: node scripts/tokenizers/make_adversarial.js
'use strict';
const fs = require('fs');
const path = require('path');

const base = [
  '',
  ' ',
  '   ',
  '\n',
  '\n\n\n',
  '\t\t',
  ' \n \t \r\n ',
  'Hello world',
  '  leading and trailing  ',
  'multiple    spaces   between     words',
  'line one\nline two\n\nline four',
  'tabs\tand\tnewlines\r\nmixed',
  // accents and combining marks
  'Café résumé naïve façade',
  'Cafe\u0301 re\u0301sume\u0301 (decomposed)',
  'e\u0301\u0301\u0301 stacked marks',
  'a\u0300\u0301\u0302\u0303\u0304\u0305\u0306\u0307 many marks',
  'Z\u0351\u0352\u0357a\u0300\u0316l\u0322g\u0327o\u0328 zalgo',
  'ÀÁÂÃÄÅ àáâãäå ÇçÑñ',
  'Ångström Øresund Æther œuvre',
  'İstanbul ıi Iİ ǅ ǈ ǋ',
  'Straße STRASSE ß ẞ',
  'Ελληνικά ΟΔΥΣΣΕΥΣ σοφός',
  'Русский текст, ёжик',
  'ﬁ ﬂ ﬃ ligatures',
  '①②③ ⅫⅣ ½ ¾ ² ³',
  'Ｆｕｌｌｗｉｄｔｈ　ＡＢＣ　１２３',
  'ｶﾀｶﾅ halfwidth katakana',
  // CJK and Thai
  '中文分词测试，今天天气很好。',
  '日本語のテキストとカタカナ、ひらがな。',
  '한국어 텍스트입니다 안녕하세요',
  '漢字と𠀋𡈽𡌛 rare CJK extension B',
  '混合English和中文text',
  'ภาษาไทยไม่มีช่องว่างระหว่างคำ',
  'สวัสดีครับ ขอบคุณ',
  'ཀཁགང tibetan',
  'हिन्दी भाषा नमस्ते',
  'বাংলা ভাষা',
  // emoji
  '😀😃😄 smileys',
  '👍🏻👍🏼👍🏽👍🏾👍🏿 skin tones',
  '👨‍👩‍👧‍👦 family ZWJ',
  '🏳️‍🌈 flag ZWJ',
  '👩🏽‍💻 technologist',
  '🇫🇷🇺🇸🇯🇵 flags',
  '❤️ ❤ ♥ hearts with VS16',
  '🥰🥳🦄 newer emoji',
  '#️⃣ 1️⃣ keycaps',
  'emoji🙂inside🙂words',
  // RTL
  'مرحبا بالعالم',
  'שלום עולם',
  'mixed English עברית and العربية',
  '\u202Eright-to-left override\u202C',
  '\u200Fmark\u200E marks',
  // control and zero-width
  'zero\u200Bwidth\u200Bspace',
  'zero\u200Cwidth\u200Dnon-joiner',
  'word\u2060joiner',
  '\uFEFFBOM at start',
  'soft\u00ADhyphen',
  'null\u0000char',
  'bell\u0007 and escape\u001B[0m',
  'del\u007F char',
  'c1\u0085next line \u0080\u009F',
  'replacement \uFFFD char',
  'private use \uE000\uF8FF',
  'noncharacter \uFDD0 \uFFFE',
  'variation\uFE0F selector',
  // Unicode spaces
  'nbsp\u00A0between\u00A0words',
  'en\u2002em\u2003thin\u2009hair\u200A',
  'ideographic\u3000space',
  'narrow\u202Fnbsp',
  'ogham\u1680space',
  'line\u2028separator\u2029paragraph',
  'mongolian\u180Evowel',
  'medium\u205Fmath',
  '\u00A0\u00A0leading nbsp',
  // numbers and punctuation
  '3.14159 2,718 1e-10 0x1F 1_000_000',
  '123456789012345678901234567890',
  '$100 €50 £20 ¥1000 ₹500',
  'email@example.com https://example.com/path?q=1&r=2#frag',
  '"quoted" \'single\' «guillemets» „German“',
  '—em dash– en dash - hyphen ‐ ‑',
  '...!!!???,,,;;;:::',
  '(parens) [brackets] {braces} <angles>',
  "don't won't can't I'm you're we've they'll he'd",
  "DON'T WON'T 'S 'T 'RE",
  "it's rock 'n' roll",
  '@#$%^&*()_+-=~`|\\/',
  'C++ C# F# .NET node.js',
  'snake_case camelCase PascalCase kebab-case',
  // long words
  'a'.repeat(99),
  'a'.repeat(100),
  'a'.repeat(101),
  'b'.repeat(250),
  'supercalifragilisticexpialidocious'.repeat(4),
  'Pneumonoultramicroscopicsilicovolcanoconiosis',
  'é'.repeat(120),
  '中'.repeat(150),
  'ab '.repeat(200),
  '😀'.repeat(60),
  'x\u0301'.repeat(70),
  // whitespace runs
  ' '.repeat(50),
  'a' + ' '.repeat(30) + 'b',
  'a' + '\n'.repeat(20) + 'b',
  ' \t'.repeat(20) + 'end',
  'trailing spaces    ',
  '    ',
  // special-token strings inside text
  '[CLS] hello [SEP] world [PAD] [MASK] [UNK]',
  'x[SEP]y[CLS]z',
  '[cls] lowercase special [sep]',
  '<s>roberta</s> <pad> <mask> <unk>',
  'a <mask> b<mask>c  <mask>  d',
  '<|endoftext|>gpt2<|endoftext|> <|endoftext|>',
  'endoftext <|endoftext |> <| endoftext|>',
  '</s> pegasus <mask_1> <mask_2> <unk_2> <pad>',
  '<s> barthez </s> <mask>',
  '[MASK][MASK][MASK]',
  '<mask><mask> <mask>',
  '▁metaspace▁char ▁ ▁▁',
  'Ġ byte level char Ċ',
  '##subword ##prefix',
  '<0x41> byte fallback token',
  // mixed scripts and misc
  'The quick brown fox jumps over the lazy dog.',
  'THE QUICK BROWN FOX',
  'Ünïcödé ïn äll plâcés',
  'math ∑∫∂√∞≠≤≥ ∀x∈ℝ',
  'arrows ←↑→↓↔ ⇒⇔',
  'box ─│┌┐└┘ ░▒▓█',
  'music 𝄞 𝄢 math 𝔸𝔹ℂ 𝒜',
  'ascii art ¯\\_(ツ)_/¯',
  'tab\tseparated\tvalues\t',
  'a',
  '.',
  '\u0301',
  '\u200D',
  '\uFE0F',
];

// Combinations: pairs of base fragments joined by assorted separators (deterministic).
const seps = [' ', '', '\n', '\u00A0', '  ', '\t', '\u3000', ', '];
const out = base.slice();
const nonEmpty = base.filter((s) => s.length > 0 && s.length < 80);
let k = 0;
for (let i = 0; out.length < 340; i++) {
  const a = nonEmpty[(i * 7) % nonEmpty.length];
  const b = nonEmpty[(i * 13 + 5) % nonEmpty.length];
  out.push(a + seps[k++ % seps.length] + b);
}
const file = path.join(__dirname, '../../tests/tokenizers/adversarial.json');
fs.writeFileSync(file, JSON.stringify(out, null, 0).replace(/","/g, '",\n"') + '\n');
console.log(`wrote ${out.length} strings to ${file}`);
