/* Recursive descent over the text; each value is allocated as it is read, and freed whole when
 * any part fails. */
#include "json_read.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON_MAX_DEPTH 64

typedef struct parser {
    const char *text, *p;
    char *err;
    size_t err_size;
    int failed;
} parser;

static void fail(parser *ps, const char *fmt, ...)
{
    if (ps->failed)
        return;
    ps->failed = 1;
    int line = 1, column = 1;
    for (const char *q = ps->text; q < ps->p; q++) {
        if (*q == '\n') {
            line++;
            column = 1;
        } else {
            column++;
        }
    }
    char what[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(ps->err, ps->err_size, "line %d, column %d: %s", line, column, what);
}

static void skip_space(parser *ps)
{
    while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')
        ps->p++;
}

static json_value *new_value(parser *ps, json_type type)
{
    json_value *v = calloc(1, sizeof *v);
    if (!v)
        fail(ps, "out of memory");
    else
        v->type = type;
    return v;
}

/* Appends UTF-8 of code point cp to buf (room for 4 more bytes is the caller's). */
static size_t put_utf8(char *buf, unsigned cp)
{
    if (cp < 0x80) {
        buf[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        buf[0] = (char)(0xC0 | (cp >> 6));
        buf[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        buf[0] = (char)(0xE0 | (cp >> 12));
        buf[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        buf[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    buf[0] = (char)(0xF0 | (cp >> 18));
    buf[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    buf[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    buf[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static int hex4(parser *ps, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        const char c = ps->p[i];
        const int d = c >= '0' && c <= '9' ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                           : -1;
        if (d < 0) {
            fail(ps, "bad \\u escape");
            return -1;
        }
        v = v * 16 + (unsigned)d;
    }
    ps->p += 4;
    *out = v;
    return 0;
}

/* A string at ps->p (which is at the opening quote); NULL on failure. */
static char *parse_string(parser *ps)
{
    const char *open = ps->p++;
    /* The decoded string is never longer than its source. */
    const char *end = ps->p;
    while (*end && *end != '"')
        end += end[0] == '\\' && end[1] ? 2 : 1;
    if (*end != '"') {
        ps->p = open;
        fail(ps, "unterminated string");
        return NULL;
    }
    char *out = malloc((size_t)(end - ps->p) + 1), *o = out;
    if (!out) {
        fail(ps, "out of memory");
        return NULL;
    }
    while (*ps->p != '"') {
        const unsigned char c = (unsigned char)*ps->p;
        if (c < 0x20) {
            fail(ps, "control character in a string");
            break;
        }
        if (c != '\\') {
            *o++ = (char)c;
            ps->p++;
            continue;
        }
        const char e = ps->p[1];
        ps->p += 2;
        switch (e) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '/': *o++ = '/'; break;
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        case 'u': {
            unsigned cp;
            if (hex4(ps, &cp))
                break;
            if (cp >= 0xD800 && cp < 0xDC00 && ps->p[0] == '\\' && ps->p[1] == 'u') {
                unsigned lo;
                ps->p += 2;
                if (hex4(ps, &lo))
                    break;
                cp = lo >= 0xDC00 && lo < 0xE000 ? 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00)
                                                 : 0xFFFD;
            } else if (cp >= 0xD800 && cp < 0xE000) {
                cp = 0xFFFD;
            }
            /* \uXXXX is 6 source bytes for at most 4 out; a pair 12 for 4. */
            o += put_utf8(o, cp);
            break;
        }
        default:
            fail(ps, "bad escape '\\%c'", e ? e : '0');
        }
        if (ps->failed)
            break;
    }
    if (ps->failed) {
        free(out);
        return NULL;
    }
    *o = '\0';
    ps->p++;
    return out;
}

static json_value *parse_value(parser *ps, int depth);

/* Adds v (and key, for objects) to c; frees them on failure. */
static int append(parser *ps, json_value *c, char *key, json_value *v)
{
    json_value **items = realloc(c->items, (c->count + 1) * sizeof *items);
    if (items)
        c->items = items;
    int keys_ok = 1;
    if (items && c->type == JSON_OBJECT) {
        char **keys = realloc(c->keys, (c->count + 1) * sizeof *keys);
        if (keys)
            c->keys = keys;
        keys_ok = keys != NULL;
    }
    if (!items || !keys_ok) {
        fail(ps, "out of memory");
        free(key);
        json_free(v);
        return -1;
    }
    if (c->type == JSON_OBJECT)
        c->keys[c->count] = key;
    c->items[c->count++] = v;
    return 0;
}

static json_value *parse_container(parser *ps, int depth, char close)
{
    json_value *c = new_value(ps, close == ']' ? JSON_ARRAY : JSON_OBJECT);
    if (!c)
        return NULL;
    ps->p++;
    skip_space(ps);
    if (*ps->p == close) {
        ps->p++;
        return c;
    }
    for (;;) {
        char *key = NULL;
        skip_space(ps);
        if (close == '}') {
            if (*ps->p != '"') {
                fail(ps, "expected a member name in quotes");
                break;
            }
            key = parse_string(ps);
            if (!key)
                break;
            skip_space(ps);
            if (*ps->p != ':') {
                free(key);
                fail(ps, "expected ':' after a member name");
                break;
            }
            ps->p++;
        }
        json_value *v = parse_value(ps, depth + 1);
        if (!v) {
            free(key);
            break;
        }
        if (append(ps, c, key, v))
            break;
        skip_space(ps);
        if (*ps->p == ',') {
            ps->p++;
            continue;
        }
        if (*ps->p == close) {
            ps->p++;
            return c;
        }
        fail(ps, "expected ',' or '%c'", close);
        break;
    }
    json_free(c);
    return NULL;
}

static json_value *parse_number(parser *ps)
{
    /* The JSON grammar first (strtod alone takes hex, inf, nan, leading '+'). */
    const char *q = ps->p;
    if (*q == '-')
        q++;
    if (*q == '0') {
        q++;
    } else if (*q >= '1' && *q <= '9') {
        while (*q >= '0' && *q <= '9')
            q++;
    } else {
        fail(ps, "unexpected character '%c'", *ps->p);
        return NULL;
    }
    if (*q == '.') {
        q++;
        if (!(*q >= '0' && *q <= '9')) {
            fail(ps, "a digit must follow the decimal point");
            return NULL;
        }
        while (*q >= '0' && *q <= '9')
            q++;
    }
    if (*q == 'e' || *q == 'E') {
        q++;
        if (*q == '+' || *q == '-')
            q++;
        if (!(*q >= '0' && *q <= '9')) {
            fail(ps, "a digit must follow the exponent");
            return NULL;
        }
        while (*q >= '0' && *q <= '9')
            q++;
    }
    json_value *v = new_value(ps, JSON_NUMBER);
    if (v)
        v->number = strtod(ps->p, NULL);
    ps->p = q;
    return v;
}

static json_value *parse_value(parser *ps, int depth)
{
    if (depth > JSON_MAX_DEPTH) {
        fail(ps, "nested deeper than %d levels", JSON_MAX_DEPTH);
        return NULL;
    }
    skip_space(ps);
    const char c = *ps->p;
    if (c == '{' || c == '[')
        return parse_container(ps, depth, c == '{' ? '}' : ']');
    if (c == '"') {
        char *s = parse_string(ps);
        json_value *v = s ? new_value(ps, JSON_STRING) : NULL;
        if (v)
            v->string = s;
        else
            free(s);
        return v;
    }
    static const struct { const char *word; json_type type; int boolean; } words[] = {
        {"true", JSON_BOOL, 1}, {"false", JSON_BOOL, 0}, {"null", JSON_NULL, 0}};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        const size_t n = strlen(words[i].word);
        if (strncmp(ps->p, words[i].word, n) == 0) {
            ps->p += n;
            json_value *v = new_value(ps, words[i].type);
            if (v)
                v->boolean = words[i].boolean;
            return v;
        }
    }
    if (c == '\0') {
        fail(ps, "unexpected end of the text");
        return NULL;
    }
    return parse_number(ps);
}

json_value *json_parse(const char *text, char *err, size_t err_size)
{
    parser ps = {text, text, err, err_size, 0};
    json_value *v = parse_value(&ps, 0);
    if (v) {
        skip_space(&ps);
        if (*ps.p) {
            fail(&ps, "text after the value");
            json_free(v);
            v = NULL;
        }
    }
    return v;
}

void json_free(json_value *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->count; i++) {
        json_free(v->items[i]);
        if (v->keys)
            free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->string);
    free(v);
}

const json_value *json_member(const json_value *object, const char *key)
{
    if (!object || object->type != JSON_OBJECT)
        return NULL;
    for (size_t i = object->count; i-- > 0;)
        if (strcmp(object->keys[i], key) == 0)
            return object->items[i];
    return NULL;
}

double json_number(const json_value *object, const char *key, double fallback)
{
    const json_value *v = json_member(object, key);
    return v && v->type == JSON_NUMBER ? v->number : fallback;
}

const char *json_string(const json_value *object, const char *key, const char *fallback)
{
    const json_value *v = json_member(object, key);
    return v && v->type == JSON_STRING ? v->string : fallback;
}
