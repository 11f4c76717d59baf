// Typed, non-variadic wrappers for the parts of libcurl and Jansson that
// Swift cannot call directly (variadic functions and macros).
#ifndef CSHIM_H
#define CSHIM_H

#include <curl/curl.h>
#include <jansson.h>
#include <stddef.h>
#include "cversion.h"

typedef size_t (*cshim_write_cb)(char *ptr, size_t size, size_t nmemb, void *userdata);

CURLcode cshim_easy_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode cshim_easy_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode cshim_easy_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode cshim_easy_setopt_write_function(CURL *handle, CURLoption option, cshim_write_cb fn);
CURLcode cshim_easy_getinfo_long(CURL *handle, CURLINFO info, long *value);
/// Options of type curl_off_t (CURLOPT_POSTFIELDSIZE_LARGE, ...).
CURLcode cshim_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value);
/// curl_global_init(CURL_GLOBAL_ALL): the flag is a macro of macros.
CURLcode cshim_global_init_all(void);

/// JSON_OBJECT, JSON_ARRAY, ... of a non-null json_t.
int cshim_json_type(const json_t *json);
/// Integer value of a JSON_INTEGER (json_int_t is long long).
long long cshim_json_integer_value(const json_t *json);
/// Position of the last parse error in bytes from the start of the buffer.
int cshim_json_error_position(const json_error_t *error);

/// The json_error_code of a parse error (premature end of input, invalid syntax, ...).
int cshim_json_error_code(const json_error_t *error);

#endif
