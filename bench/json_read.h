/* A small JSON reader (RFC 8259) for the files cnnbench compares against (--vs-json): the whole
 * text into a tree of values. Strict: no comments, no trailing commas; nesting is limited, so
 * that hostile input cannot exhaust the stack; errors say the line and column. */
#ifndef CNNBENCH_JSON_READ_H
#define CNNBENCH_JSON_READ_H

#include <stddef.h>

typedef enum json_type {
    JSON_NULL,
    JSON_BOOL,
    JSON_NUMBER,
    JSON_STRING,
    JSON_ARRAY,
    JSON_OBJECT
} json_type;

typedef struct json_value {
    json_type type;
    int boolean;
    double number;
    char *string;              /* JSON_STRING: UTF-8, NUL-terminated (an embedded \u0000 ends it) */
    struct json_value **items; /* JSON_ARRAY, JSON_OBJECT: count values */
    char **keys;               /* JSON_OBJECT: count keys */
    size_t count;
} json_value;

/* Parse text (NUL-terminated). NULL with a message ("line L, column C: ...") in err when it is
 * not one well-formed JSON value, or when memory runs out. */
json_value *json_parse(const char *text, char *err, size_t err_size);
void json_free(json_value *v);

/* The member key of an object (the last one of that name), or NULL. */
const json_value *json_member(const json_value *object, const char *key);
/* A member's number, or fallback when it is missing or not a number. */
double json_number(const json_value *object, const char *key, double fallback);
/* A member's string, or fallback when it is missing or not a string. */
const char *json_string(const json_value *object, const char *key, const char *fallback);

#endif /* CNNBENCH_JSON_READ_H */
