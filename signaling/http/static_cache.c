/* Static files: validators (ETag, HTTP dates) and conditional requests (sans-IO, see
 * static_rules.h). Dates are built field by field, never through the locale. */
#include "signaling/http/static_rules.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *const day_names[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const long_day_names[7] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                              "Thursday", "Friday", "Saturday"};
static const char *const month_names[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

void prism_http_static_etag(uint64_t inode, uint64_t size, int64_t mtime_ns,
                            char out[PRISM_HTTP_ETAG_SIZE])
{
    snprintf(out, PRISM_HTTP_ETAG_SIZE, "\"%" PRIx64 "-%" PRIx64 "-%" PRIx64 "\"", inode, size,
             (uint64_t)mtime_ns);
}

void prism_http_date_format(int64_t unix_seconds, char out[PRISM_HTTP_DATE_SIZE])
{
    time_t seconds = (time_t)unix_seconds;
    struct tm tm;
    if (!gmtime_r(&seconds, &tm) || tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 0) {
        seconds = 0; /* out of the format's range: the epoch, which is at least valid */
        gmtime_r(&seconds, &tm);
    }
    snprintf(out, PRISM_HTTP_DATE_SIZE, "%s, %02d %s %04d %02d:%02d:%02d GMT",
             day_names[tm.tm_wday], tm.tm_mday, month_names[tm.tm_mon], tm.tm_year + 1900,
             tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* A read position in a NUL-terminated string; every helper stops at the NUL. */
struct cursor {
    const char *p;
};

static bool take(struct cursor *c, const char *literal)
{
    size_t length = strlen(literal);
    if (strncmp(c->p, literal, length) != 0)
        return false;
    c->p += length;
    return true;
}

static bool take_digits(struct cursor *c, int count, int *value)
{
    int result = 0;
    for (int i = 0; i < count; i++) {
        if (c->p[i] < '0' || c->p[i] > '9')
            return false;
        result = result * 10 + (c->p[i] - '0');
    }
    c->p += count;
    *value = result;
    return true;
}

/* Matches one of `names` (exact case, as HTTP-date requires). */
static bool take_name(struct cursor *c, const char *const *names, int count, int *index)
{
    for (int i = 0; i < count; i++) {
        if (take(c, names[i])) {
            *index = i;
            return true;
        }
    }
    return false;
}

static bool take_time(struct cursor *c, struct tm *tm)
{
    return take_digits(c, 2, &tm->tm_hour) && take(c, ":") && take_digits(c, 2, &tm->tm_min) &&
           take(c, ":") && take_digits(c, 2, &tm->tm_sec);
}

/* "Sun, 06 Nov 1994 08:49:37 GMT" once the day name is read. */
static bool parse_imf_fixdate(struct cursor *c, struct tm *tm)
{
    int year;
    if (!take(c, ", ") || !take_digits(c, 2, &tm->tm_mday) || !take(c, " ") ||
        !take_name(c, month_names, 12, &tm->tm_mon) || !take(c, " ") || !take_digits(c, 4, &year) ||
        !take(c, " ") || !take_time(c, tm) || !take(c, " GMT"))
        return false;
    tm->tm_year = year - 1900;
    return true;
}

/* "Sunday, 06-Nov-94 08:49:37 GMT" once the day name is read. Two-digit years below 70
 * are taken as 20xx: HTTP dates before the epoch never occur. */
static bool parse_rfc850(struct cursor *c, struct tm *tm)
{
    int year;
    if (!take(c, ", ") || !take_digits(c, 2, &tm->tm_mday) || !take(c, "-") ||
        !take_name(c, month_names, 12, &tm->tm_mon) || !take(c, "-") || !take_digits(c, 2, &year) ||
        !take(c, " ") || !take_time(c, tm) || !take(c, " GMT"))
        return false;
    tm->tm_year = year < 70 ? year + 100 : year;
    return true;
}

/* "Sun Nov  6 08:49:37 1994" once the day name is read. */
static bool parse_asctime(struct cursor *c, struct tm *tm)
{
    int year;
    if (!take(c, " ") || !take_name(c, month_names, 12, &tm->tm_mon) || !take(c, " "))
        return false;
    if (c->p[0] == ' ')
        c->p++;
    bool day = c->p[0] && c->p[1] >= '0' && c->p[1] <= '9' ? take_digits(c, 2, &tm->tm_mday)
                                                           : take_digits(c, 1, &tm->tm_mday);
    if (!day || !take(c, " ") || !take_time(c, tm) || !take(c, " ") || !take_digits(c, 4, &year))
        return false;
    tm->tm_year = year - 1900;
    return true;
}

bool prism_http_date_parse(const char *text, int64_t *unix_seconds)
{
    if (!text)
        return false;
    struct cursor c = {text};
    struct tm tm = {0};
    int day;
    bool parsed;
    /* Long names first: "Sunday" would otherwise be read as "Sun" + "day". */
    if (take_name(&c, long_day_names, 7, &day))
        parsed = parse_rfc850(&c, &tm);
    else if (take_name(&c, day_names, 7, &day))
        parsed = c.p[0] == ',' ? parse_imf_fixdate(&c, &tm) : parse_asctime(&c, &tm);
    else
        return false;
    if (!parsed || c.p[0] != '\0' || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 59)
        return false;
    struct tm fields = tm;
    time_t seconds = timegm(&tm);
    /* timegm normalises "31 Feb" into March: a changed field means the date was invalid. */
    if (seconds == (time_t)-1 || tm.tm_mday != fields.tm_mday || tm.tm_mon != fields.tm_mon)
        return false;
    *unix_seconds = (int64_t)seconds;
    return true;
}

static const char *skip_spaces(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* Weak comparison (RFC 9110 section 8.8.3.2) of each entity tag of an If-None-Match list
 * with `etag`; a malformed list matches nothing. */
static bool etag_list_matches(const char *list, const char *etag)
{
    const char *p = skip_spaces(list);
    if (p[0] == '*')
        return skip_spaces(p + 1)[0] == '\0';
    size_t etag_length = strlen(etag);
    while (*p) {
        if (p[0] == 'W' && p[1] == '/')
            p += 2;
        if (*p != '"')
            return false;
        const char *close = strchr(p + 1, '"');
        if (!close)
            return false;
        size_t length = (size_t)(close - p) + 1;
        if (length == etag_length && memcmp(p, etag, length) == 0)
            return true;
        p = skip_spaces(close + 1);
        if (*p == ',')
            p = skip_spaces(p + 1);
        else if (*p != '\0')
            return false;
    }
    return false;
}

bool prism_http_static_not_modified(const char *if_none_match, const char *if_modified_since,
                                    const char *etag, int64_t mtime_s, int64_t now_s)
{
    if (if_none_match)
        return etag && etag_list_matches(if_none_match, etag);
    int64_t since;
    if (!if_modified_since || !prism_http_date_parse(if_modified_since, &since) || since > now_s)
        return false;
    return mtime_s <= since;
}
