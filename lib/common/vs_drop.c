/* SPDX-License-Identifier: BSD-3-Clause */
#include <stddef.h>

#include "vs_drop.h"

static const char *const names[VS_DROP_MAX] = {
#define VS_DROP_NAME_(e, n, d) [VS_DROP_ ## e] = n,
	VS_DROP_REASONS(VS_DROP_NAME_)
#undef VS_DROP_NAME_
};

static const char *const descs[VS_DROP_MAX] = {
#define VS_DROP_DESC_(e, n, d) [VS_DROP_ ## e] = d,
	VS_DROP_REASONS(VS_DROP_DESC_)
#undef VS_DROP_DESC_
};

const char *
vs_drop_name(enum vs_drop_reason r)
{
	return (unsigned int)r < VS_DROP_MAX ? names[r] : "invalid";
}

const char *
vs_drop_desc(enum vs_drop_reason r)
{
	return (unsigned int)r < VS_DROP_MAX ? descs[r] : "invalid";
}
