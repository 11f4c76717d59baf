#include "cshim.h"

CURLcode cshim_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}
CURLcode cshim_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}
CURLcode cshim_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}
CURLcode cshim_easy_setopt_write_function(CURL *handle, CURLoption option, cshim_write_cb fn) {
    return curl_easy_setopt(handle, option, fn);
}
CURLcode cshim_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}
CURLcode cshim_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}
CURLcode cshim_global_init_all(void) { return curl_global_init(CURL_GLOBAL_ALL); }
int cshim_json_type(const json_t *json) { return (int)json_typeof(json); }
long long cshim_json_integer_value(const json_t *json) { return (long long)json_integer_value(json); }
int cshim_json_error_position(const json_error_t *error) { return error->position; }
int cshim_json_error_code(const json_error_t *error) { return (int)json_error_code(error); }
