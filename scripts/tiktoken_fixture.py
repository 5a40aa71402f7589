#!/usr/bin/env python3
"""Writes Tests/KeelTests/Fixtures/tiktoken-counts.jsonl: texts with the token counts OpenAI's tiktoken
gives them in o200k_base and cl100k_base (encode_ordinary, and encode with every special token allowed).
The texts cover Unicode scripts and marks, code, whitespace runs, emoji, long words, numbers,
contractions and casing, plus seeded random mixtures of all of these.

    pip install tiktoken
    python3 scripts/tiktoken_cache.py /tmp/tiktoken-cache     # tiktoken offline, from the shipped rank files
    TIKTOKEN_CACHE_DIR=/tmp/tiktoken-cache python3 scripts/tiktoken_fixture.py
"""

import json
import os
import random

import tiktoken

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "Tests", "KeelTests", "Fixtures", "tiktoken-counts.jsonl")

TEXTS = [
    "", " ", "  ", "\n", "\r\n", "\t", " \n ", "a", "Hello, world!", "hello world", "Hello world   ", "   leading spaces",
    "trailing newline\n", "two\n\nnewlines", "mixed \t \n\r\n\t whitespace  runs", "line one\r\nline two\r\n\r\n",
    "I'm sure you'll see they've gone; we'd know. DON'T SHOUT. It'S odd.", "y'all've 'tis 'TWAS rock'n'roll",
    "the cat's 's 'd 'm 'll 've 're 't", "HTTPServer iPhone McDonald XMLHttpRequest camelCaseWord snake_case_word",
    "ALLCAPS WORDS HERE", "Ünïcödé naïve café résumé Straße ÆSIR", "Привет, мир! Как дела?", "你好，世界！我们今天去公园吧。",
    "こんにちは世界。カタカナとひらがな。", "안녕하세요 세계", "مرحبا بالعالم، كيف حالك؟", "שלום עולם", "नमस्ते दुनिया, आप कैसे हैं?",
    "ภาษาไทยไม่มีช่องว่าง", "Ελληνικά γράμματα", "e\u0301 combining e\u0301\u0302 marks \u0301start", "\u0301", "a\u0301\u0301\u0301b",
    "😀 😃😄 👨‍👩‍👧‍👦 👍🏽 🇫🇷🇯🇵 ❤️ 🏳️‍🌈", "emoji😀inside😀words", "1234567890", "3.14159 2.71828 1,000,000 -42 +7 1e-9",
    "Call 555-0123 or +1 (800) 555-0199", "０１２３ full-width ｄｉｇｉｔｓ", "Ⅻ Roman ½ ¾ ² ³ numbers", "year 2024, 12:30pm, v1.2.3",
    "def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n",
    "func greet(_ name: String) -> String {\n\treturn \"Hello, \\(name)!\"\n}\n",
    '{"model": "gpt-4o", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 32}',
    "<html><body><div class=\"x\">Text &amp; more</div></body></html>", "SELECT * FROM users WHERE id = 42 AND name LIKE '%bob%';",
    "https://example.com/path/to/page?query=1&b=2#frag", "/usr/local/bin/keel --config ./keel.yaml", "C:\\Users\\me\\file.txt",
    "a//b///c////d", "!!!???...---***", "foo!!!\n\n\nbar", "wow!!\r\n\r\n", "$100 €20 £5 ¥1000", "@user #hashtag ~tilde `code`",
    "Donaudampfschifffahrtselektrizitätenhauptbetriebswerkbauunterbeamtengesellschaft",
    "pneumonoultramicroscopicsilicovolcanoconiosis", "a" * 1000, "ab" * 700, " " * 300, "\n" * 50, "x " * 400,
    "QmFzZTY0IGVuY29kZWQgdGV4dCB3aXRoIGxvbmcgdW5icm9rZW4gcnVucw==",
    "<|endoftext|>", "before <|endoftext|> after <|endofprompt|>", "<|fim_prefix|>x<|fim_suffix|>y<|fim_middle|>",
    "tab\tseparated\tvalues\t1\t2", "   \n   \n", "end with spaces   ", "end with tab\t", "\u00a0non-breaking\u00a0space \u3000ideographic",
    "zero\u200bwidth\u200djoiner", "Ǆ ǅ ǆ titlecase ǅungla", "ʰmodifier ˈstress ʼapostrophe", "don’t curly ‘quotes’ “double”",
    "MixedCASE'S Contractions'LL HERE'VE", "ÀÉÎÕÜ'S", "x'S y'Ll z'rE", "'s", "'", "''", "'''abc", "abc'", "123'456",
]

POOL = (
    list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    + list("     \t\n\r'\"/\\.,;:!?-_()[]{}<>@#$%^&*+=|~`")
    + list("éÉßñÑøÆœŒçÇ") + list("ЖжДдЯя") + list("中文字符日本語") + list("한글") + list("عربي") + list("हिन्दी")
    + ["\u0301", "\u0308", "\u200d", "\u00a0", "\u3000", "😀", "👍", "🏽", "🇫", "🇷", "½", "²", "Ⅻ", "٣", "ǅ", "ʰ", "ſ", "K"]
)


def main():
    o200k = tiktoken.get_encoding("o200k_base")
    cl100k = tiktoken.get_encoding("cl100k_base")
    generator = random.Random(20261122)
    texts = list(TEXTS)
    # Long unbroken words, which byte-pair encoding must merge in n log n (a blob of base64 in a prompt).
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    texts += ["a" * 20000, "".join(generator.choice(alphabet) for _ in range(20000))]
    for _ in range(400):
        texts.append("".join(generator.choice(POOL) for _ in range(generator.randint(1, 60))))
    with open(OUT, "w", encoding="utf-8") as out:
        for text in texts:
            row = {
                "text": text,
                "o200k_base": len(o200k.encode_ordinary(text)),
                "cl100k_base": len(cl100k.encode_ordinary(text)),
                "o200k_base_special": len(o200k.encode(text, allowed_special="all")),
                "cl100k_base_special": len(cl100k.encode(text, allowed_special="all")),
            }
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(texts)} texts to {OUT}")


if __name__ == "__main__":
    main()
