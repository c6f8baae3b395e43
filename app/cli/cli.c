/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The CLI's context and what every command group shares: the command list librte_cmdline
 * parses against, the port-name token (completes uplink and the guests' names), the strict
 * value parsers with their error messages, the general commands (help, load, quit, exit),
 * and the fallback that explains a line no command matches.
 *
 * Why a fallback instance: librte_cmdline answers a line it cannot match with a fixed
 * "Command not found" or "Bad arguments". vseal must say what is wrong and print the usage,
 * so the last instance of the list has one token that takes the whole line, but only when
 * no real command matches it (it asks cmdline_parse_check() on a second cmdline that knows
 * only the real commands), and only when parsing, never when completing. Its callback then
 * compares the words with the commands' keywords to name the mistake.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/string.h>

#include <rte_common.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_string.h>

#include "cli.h"
#include "vs_cli.h"
#include "vs_parse.h"

#define CLI_LINE_MAX 1024
#define CLI_MAX_WORDS 32
#define CLI_SHOW_MAX 40     /* characters of a user's word quoted in a message */

struct vs_cli *cli_ctx;

static const struct cli_group *const cli_groups[] = {
	&cli_group_general,
	&cli_group_port,
	&cli_group_lcore,
	&cli_group_location,
	&cli_group_flood,
	&cli_group_neigh,
	&cli_group_config,
};

/* ---- words, keywords and usages ---- */

const char *
cli_sanitize(const char *s, char *buf, size_t len)
{
	size_t i, n = strlen(s);

	for (i = 0; i < n && i + 1 < len; i++)
		buf[i] = isprint((unsigned char)s[i]) ? s[i] : '?';
	buf[i] = '\0';
	if (i < n && len > 4)
		strlcpy(buf + len - 4, "...", 4);
	return buf;
}

/* The fixed word(s) of a token ("on#off"), or NULL when it takes a value. */
static const char *
token_keyword(const cmdline_parse_token_hdr_t *t)
{
	const struct cmdline_token_string *s = (const struct cmdline_token_string *)t;

	if (t->ops != &cmdline_token_string_ops || s->string_data.str == NULL ||
			s->string_data.str[0] == '\0')
		return NULL;
	return s->string_data.str;
}

static bool
keyword_matches(const char *alts, const char *word)
{
	size_t wl = strlen(word);

	while (*alts != '\0') {
		size_t l = strcspn(alts, "#");

		if (l == wl && strncmp(alts, word, l) == 0)
			return true;
		alts += l;
		if (*alts == '#')
			alts++;
	}
	return false;
}

static unsigned int
inst_nb_tokens(const cmdline_parse_inst_t *inst)
{
	unsigned int n = 0;

	while (inst->tokens[n] != NULL)
		n++;
	return n;
}

static unsigned int
inst_nb_keywords(const cmdline_parse_inst_t *inst)
{
	unsigned int n = 0;

	while (inst->tokens[n] != NULL && token_keyword(inst->tokens[n]) != NULL)
		n++;
	return n;
}

/* Length of the usage part of a help_str ("USAGE: description"). */
static size_t
usage_len(const char *help)
{
	const char *p = strstr(help, ": ");

	return p == NULL ? strlen(help) : (size_t)(p - help);
}

/* The first nwords words of an instance's usage (all of it when nwords is large). */
static const char *
usage_words(const cmdline_parse_inst_t *inst, unsigned int first, unsigned int nwords,
		char *buf, size_t len)
{
	const char *u = inst->help_str;
	size_t ul = usage_len(u), i = 0, o = 0;
	unsigned int w = 0;

	buf[0] = '\0';
	while (i < ul && w < first + nwords) {
		size_t l;

		while (i < ul && u[i] == ' ')
			i++;
		l = 0;
		while (i + l < ul && u[i + l] != ' ')
			l++;
		if (l == 0)
			break;
		if (w >= first && o + l + 2 < len) {
			if (o > 0)
				buf[o++] = ' ';
			memcpy(buf + o, u + i, l);
			o += l;
			buf[o] = '\0';
		}
		i += l;
		w++;
	}
	return buf;
}

static void
print_usage(struct cmdline *cl, const cmdline_parse_inst_t *inst)
{
	cli_err_printf(cl, "usage: %.*s\n", (int)usage_len(inst->help_str), inst->help_str);
}

void
cli_error(struct cmdline *cl, const void *inst_arg, const char *fmt, ...)
{
	const cmdline_parse_inst_t *inst = inst_arg;
	char cmd[128], msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	usage_words(inst, 0, inst_nb_keywords(inst), cmd, sizeof(cmd));
	cli_err_printf(cl, "error: %s: %s\n", cmd, msg);
	print_usage(cl, inst);
	cli_failed(cl);
}

/* ---- value parsers with their messages ---- */

int
cli_parse_vni(struct cmdline *cl, const void *inst, const char *s, uint32_t *out)
{
	char w[CLI_SHOW_MAX];
	int ret = vs_parse_vni(s, out);

	if (ret != 0)
		cli_error(cl, inst, "expected a VNI 0..%u, got '%s'", VS_VNI_LIMIT,
			cli_sanitize(s, w, sizeof(w)));
	return ret;
}

int
cli_parse_mac(struct cmdline *cl, const void *inst, const char *s, struct rte_ether_addr *out)
{
	char w[CLI_SHOW_MAX];
	int ret = vs_parse_mac(s, out);

	if (ret != 0)
		cli_error(cl, inst, "expected a MAC address (xx:xx:xx:xx:xx:xx), got '%s'",
			cli_sanitize(s, w, sizeof(w)));
	return ret;
}

int
cli_parse_ipv4(struct cmdline *cl, const void *inst, const char *s, rte_be32_t *out)
{
	char w[CLI_SHOW_MAX];
	int ret = vs_parse_ipv4(s, out);

	if (ret != 0)
		cli_error(cl, inst, "expected an IPv4 address (a.b.c.d), got '%s'",
			cli_sanitize(s, w, sizeof(w)));
	return ret;
}

int
cli_parse_u32(struct cmdline *cl, const void *inst, const char *s, uint32_t min,
		uint32_t max, const char *what, uint32_t *out)
{
	char w[CLI_SHOW_MAX];
	int ret = vs_parse_u32(s, min, max, out);

	if (ret != 0)
		cli_error(cl, inst, "expected %s %u..%u, got '%s'", what, min, max,
			cli_sanitize(s, w, sizeof(w)));
	return ret;
}

int
cli_vni_index(struct cmdline *cl, const void *inst, uint32_t vni)
{
	const struct vs_dp *dp = cli_ctx->dp;
	char list[256] = "";
	size_t used = 0;
	unsigned int i;
	int vi = vs_dp_vni_index(dp, vni);

	if (vi >= 0)
		return vi;
	for (i = 0; i < dp->nb_vnis && used + 12 < sizeof(list); i++)
		used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%u",
			i == 0 ? "" : " ", dp->vnis[i].vni);
	cli_error(cl, inst, "expected a VNI served here (%s), got '%u'", list, vni);
	return -ENOENT;
}

static void
port_names(unsigned int flags, char *buf, size_t len)
{
	const struct vs_dp *dp = cli_ctx->dp;
	unsigned int i;

	buf[0] = '\0';
	if (flags & CLI_PORT_ALL)
		strlcat(buf, "all", len);
	for (i = (flags & CLI_PORT_GUEST) ? 1 : 0; i < dp->nb_ports; i++) {
		if (buf[0] != '\0')
			strlcat(buf, " ", len);
		strlcat(buf, dp->ports[i].port.name, len);
	}
}

int
cli_port_index(struct cmdline *cl, const void *inst, const char *name, unsigned int flags)
{
	const struct vs_dp *dp = cli_ctx->dp;
	char list[VS_MAX_PORTS * 8], w[CLI_SHOW_MAX];
	unsigned int i;

	if ((flags & CLI_PORT_ALL) && strcmp(name, "all") == 0)
		return VS_MAX_PORTS;
	for (i = (flags & CLI_PORT_GUEST) ? 1 : 0; i < dp->nb_ports; i++)
		if (strcmp(name, dp->ports[i].port.name) == 0)
			return (int)i;
	port_names(flags, list, sizeof(list));
	cli_error(cl, inst, "expected %s (%s), got '%s'",
		(flags & CLI_PORT_GUEST) ? "a guest's name" : "a port name", list,
		cli_sanitize(name, w, sizeof(w)));
	return -ENOENT;
}

/* ---- the port-name token ---- */

static int
port_parse(cmdline_parse_token_hdr_t *tk, const char *buf, void *res, unsigned int ressize)
{
	unsigned int len = 0;

	RTE_SET_USED(tk);
	if (buf == NULL)
		return -1;
	while (!cmdline_isendoftoken(buf[len]))
		len++;
	if (len == 0)
		return -1;
	if (res != NULL) {
		unsigned int n = RTE_MIN(len, (unsigned int)STR_TOKEN_SIZE - 1);

		if (ressize < STR_TOKEN_SIZE)
			return -1;
		memcpy(res, buf, n);
		((char *)res)[n] = '\0';
	}
	return (int)len;
}

/* Completion candidates: "all" (when allowed), "uplink" (unless guests only), guests. */
static int
port_candidate(const struct cli_token_port *t, int idx, const char **name)
{
	const struct vs_dp *dp = cli_ctx->dp;
	int i = 0;
	unsigned int p;

	if (t->flags & CLI_PORT_ALL) {
		if (idx == i) {
			*name = "all";
			return 0;
		}
		i++;
	}
	for (p = (t->flags & CLI_PORT_GUEST) ? 1 : 0; p < dp->nb_ports; p++, i++) {
		if (idx == i) {
			*name = dp->ports[p].port.name;
			return 0;
		}
	}
	return -1;
}

static int
port_complete_nb(cmdline_parse_token_hdr_t *tk)
{
	const struct cli_token_port *t = (const struct cli_token_port *)tk;
	const char *name;
	int n = 0;

	while (port_candidate(t, n, &name) == 0)
		n++;
	return n;
}

static int
port_complete_elt(cmdline_parse_token_hdr_t *tk, int idx, char *dst, unsigned int size)
{
	const char *name;

	if (port_candidate((const struct cli_token_port *)tk, idx, &name) != 0 ||
			strlcpy(dst, name, size) >= size)
		return -1;
	return 0;
}

static int
port_help(cmdline_parse_token_hdr_t *tk, char *dst, unsigned int size)
{
	const struct cli_token_port *t = (const struct cli_token_port *)tk;

	strlcpy(dst, (t->flags & CLI_PORT_GUEST) ? "guest name" : "port name", size);
	return 0;
}

struct cmdline_token_ops cli_token_port_ops = {
	.parse = port_parse,
	.complete_get_nb = port_complete_nb,
	.complete_get_elt = port_complete_elt,
	.get_help = port_help,
};

/* ---- the fallback: a line no command matches ---- */

struct cli_line_result {
	char line[CLI_LINE_MAX];
};

static int
line_parse(cmdline_parse_token_hdr_t *tk, const char *buf, void *res, unsigned int ressize)
{
	unsigned int len = 0;

	RTE_SET_USED(tk);
	/* Completion probes with res == NULL: never offer "any line" there. */
	if (buf == NULL || res == NULL || ressize < CLI_LINE_MAX)
		return -1;
	/* A real command matches: not ours (it would make the line ambiguous). */
	if (cmdline_parse_check(cli_ctx->probe, buf) >= 0)
		return -1;
	while (buf[len] != '\0' && buf[len] != '\n' && buf[len] != '\r')
		len++;
	strlcpy(res, buf, RTE_MIN(len + 1, (unsigned int)CLI_LINE_MAX));
	return (int)len;
}

static int
line_help(cmdline_parse_token_hdr_t *tk, char *dst, unsigned int size)
{
	RTE_SET_USED(tk);
	strlcpy(dst, "anything else", size);
	return 0;
}

static struct cmdline_token_ops line_ops = {
	.parse = line_parse,
	.get_help = line_help,
};

static struct cmdline_token_hdr line_token = {
	.ops = &line_ops,
	.offset = offsetof(struct cli_line_result, line),
};

static void
cmd_fallback_parsed(void *res, struct cmdline *cl, void *data)
{
	struct cli_line_result *r = res;

	RTE_SET_USED(data);
	cli_explain(cl, r->line);
}

static cmdline_parse_inst_t cmd_fallback = {
	.f = cmd_fallback_parsed,
	.data = NULL,
	.help_str = "explains what is wrong with a line no command matches",
	.tokens = { &line_token, NULL },
};

static unsigned int
split_words(char *line, char **words, unsigned int max)
{
	unsigned int n = 0;
	char *p = line, *hash = strchr(line, '#');

	if (hash != NULL)
		*hash = '\0';
	while (n < max) {
		p += strspn(p, " \t");
		if (*p == '\0')
			break;
		words[n++] = p;
		p += strcspn(p, " \t");
		if (*p == '\0')
			break;
		*p++ = '\0';
	}
	return n;
}

/* Leading keyword tokens of inst that the words match. */
static unsigned int
keywords_matched(const cmdline_parse_inst_t *inst, char **words, unsigned int nw)
{
	unsigned int k = 0;

	while (k < nw && inst->tokens[k] != NULL) {
		const char *kw = token_keyword(inst->tokens[k]);

		if (kw == NULL || !keyword_matches(kw, words[k]))
			break;
		k++;
	}
	return k;
}

static void
explain_unknown(struct cmdline *cl, const char *word)
{
	char first[256] = "", w[CLI_SHOW_MAX];
	cmdline_parse_ctx_t *ctx = cli_ctx->real_ctx;
	unsigned int i, j;

	/* The first keywords, each once, in the order of the command list. */
	for (i = 0; ctx[i] != NULL; i++) {
		const char *kw = token_keyword(ctx[i]->tokens[0]);
		bool seen = false;

		if (kw == NULL)
			continue;
		for (j = 0; j < i && !seen; j++) {
			const char *o = token_keyword(ctx[j]->tokens[0]);

			seen = o != NULL && strcmp(o, kw) == 0;
		}
		if (seen)
			continue;
		if (first[0] != '\0')
			strlcat(first, ", ", sizeof(first));
		strlcat(first, kw, sizeof(first));
	}
	cli_err_printf(cl, "error: unknown command '%s'\n", cli_sanitize(word, w, sizeof(w)));
	cli_err_printf(cl, "usage: COMMAND [ARGUMENTS], COMMAND one of: %s ('help' lists them all)\n",
		first);
	cli_failed(cl);
}

/* What the line could have had where it went wrong, each once: "a, b or c". */
struct cli_expect {
	unsigned int n;
	char item[16][96];
};

static void
expect_add(struct cli_expect *e, const char *item)
{
	unsigned int i;

	for (i = 0; i < e->n; i++)
		if (strcmp(e->item[i], item) == 0)
			return;
	if (e->n < RTE_DIM(e->item))
		strlcpy(e->item[e->n++], item, sizeof(e->item[0]));
}

static void
expect_add_keywords(struct cli_expect *e, const char *alts)
{
	while (*alts != '\0') {
		size_t l = strcspn(alts, "#");
		char word[64];

		strlcpy(word, alts, RTE_MIN(l + 1, sizeof(word)));
		expect_add(e, word);
		alts += l;
		if (*alts == '#')
			alts++;
	}
}

static const char *
expect_str(const struct cli_expect *e, char *buf, size_t len)
{
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < e->n; i++) {
		if (i > 0)
			strlcat(buf, i + 1 == e->n ? " or " : ", ", len);
		strlcat(buf, e->item[i], len);
	}
	return buf;
}

void
cli_explain(struct cmdline *cl, const char *line)
{
	cmdline_parse_ctx_t *ctx = cli_ctx->real_ctx;
	char copy[CLI_LINE_MAX], prefix[256] = "", exp[1024], w[CLI_SHOW_MAX];
	char *words[CLI_MAX_WORDS];
	struct cli_expect e = { .n = 0 };
	unsigned int matched[256];
	unsigned int nw, i, k, best = 0, nb_kc = 0, nb_nk = 0, nb_exact = 0, given;

	strlcpy(copy, line, sizeof(copy));
	nw = split_words(copy, words, RTE_DIM(words));
	if (nw == 0)
		return;
	for (i = 0; ctx[i] != NULL && i < RTE_DIM(matched); i++) {
		matched[i] = keywords_matched(ctx[i], words, nw);
		best = RTE_MAX(best, matched[i]);
	}
	if (best == 0) {
		explain_unknown(cl, words[0]);
		return;
	}
	for (k = 0; k < best; k++) {
		if (k > 0)
			strlcat(prefix, " ", sizeof(prefix));
		strlcat(prefix, cli_sanitize(words[k], w, sizeof(w)), sizeof(prefix));
	}
	given = nw - best;
	/*
	 * Candidates: the commands whose keywords the line matches furthest. Those with all
	 * their keywords matched expect arguments (how many is what went wrong); the others
	 * expect another keyword where the line has none or a different word.
	 */
	for (i = 0; ctx[i] != NULL; i++) {
		const cmdline_parse_inst_t *inst = ctx[i];
		unsigned int nkw = inst_nb_keywords(inst);

		if (matched[i] == best && nkw > best) {
			nb_nk++;
			expect_add_keywords(&e, token_keyword(inst->tokens[best]));
		}
	}
	for (i = 0; ctx[i] != NULL; i++) {
		const cmdline_parse_inst_t *inst = ctx[i];
		unsigned int nkw = inst_nb_keywords(inst), nargs;
		char names[64], item[96];

		if (matched[i] != best || nkw > best)
			continue;
		nb_kc++;
		nargs = inst_nb_tokens(inst) - nkw;
		if (nargs == given)
			nb_exact++;
		if (nargs == 0)
			snprintf(item, sizeof(item), "no argument");
		else
			snprintf(item, sizeof(item), "%u argument%s (%s)", nargs,
				nargs == 1 ? "" : "s",
				usage_words(inst, nkw, nargs, names, sizeof(names)));
		expect_add(&e, item);
	}
	expect_str(&e, exp, sizeof(exp));
	if ((nb_kc == 0 || nb_nk > 0) && given > 0 && nb_exact == 0)
		cli_err_printf(cl, "error: %s: expected %s, got '%s'\n", prefix, exp,
			cli_sanitize(words[best], w, sizeof(w)));
	else if (nb_kc == 0)
		cli_err_printf(cl, "error: %s: incomplete command, expected %s next\n", prefix,
			exp);
	else if (nb_exact > 0)
		cli_err_printf(cl, "error: %s: an argument is too long (at most %d characters)\n",
			prefix, STR_TOKEN_SIZE - 1);
	else
		cli_err_printf(cl, "error: %s: expected %s, got %u argument%s\n", prefix, exp,
			given, given == 1 ? "" : "s");
	for (i = 0; ctx[i] != NULL; i++)
		if (matched[i] == best)
			print_usage(cl, ctx[i]);
	cli_failed(cl);
}

/* ---- general commands: help, load, quit, exit ---- */

struct cmd_word_result {
	cmdline_fixed_string_t w0;
};

static void
cmd_help_parsed(void *res, struct cmdline *cl, void *data)
{
	char names[VS_MAX_PORTS * 8];
	unsigned int g, i;

	RTE_SET_USED(res);
	RTE_SET_USED(data);
	for (g = 0; g < RTE_DIM(cli_groups); g++) {
		const struct cli_group *grp = cli_groups[g];

		cmdline_printf(cl, "%s%s:\n", g == 0 ? "" : "\n", grp->title);
		for (i = 0; grp->cmds[i] != NULL; i++) {
			const char *h = grp->cmds[i]->help_str;
			size_t ul = usage_len(h);

			cmdline_printf(cl, "  %-32.*s %s\n", (int)ul, h,
				h[ul] == '\0' ? "" : h + ul + 2);
		}
	}
	port_names(CLI_PORT_ANY, names, sizeof(names));
	cmdline_printf(cl, "\nPort names: %s. Tab completes commands and names.\n", names);
}

static cmdline_parse_token_string_t cmd_help_w0 =
	TOKEN_STRING_INITIALIZER(struct cmd_word_result, w0, "help");

static cmdline_parse_inst_t cmd_help = {
	.f = cmd_help_parsed,
	.data = &cmd_help,
	.help_str = "help: list every command",
	.tokens = { (void *)&cmd_help_w0, NULL },
};

static void
cmd_quit_parsed(void *res, struct cmdline *cl, void *data)
{
	RTE_SET_USED(res);
	RTE_SET_USED(data);
	cli_session_quit(cl);
}

static cmdline_parse_token_string_t cmd_quit_w0 =
	TOKEN_STRING_INITIALIZER(struct cmd_word_result, w0, "quit");

static cmdline_parse_inst_t cmd_quit = {
	.f = cmd_quit_parsed,
	.data = &cmd_quit,
	.help_str = "quit: end this session (at vseal's own prompt: stop vseal)",
	.tokens = { (void *)&cmd_quit_w0, NULL },
};

static cmdline_parse_token_string_t cmd_exit_w0 =
	TOKEN_STRING_INITIALIZER(struct cmd_word_result, w0, "exit");

static cmdline_parse_inst_t cmd_exit = {
	.f = cmd_quit_parsed,
	.data = &cmd_exit,
	.help_str = "exit: same as quit",
	.tokens = { (void *)&cmd_exit_w0, NULL },
};

struct cmd_load_result {
	cmdline_fixed_string_t load;
	cmdline_fixed_string_t file;
};

static void
cmd_load_parsed(void *res, struct cmdline *cl, void *data)
{
	struct cmd_load_result *r = res;
	char w[CLI_SHOW_MAX];
	int ret;

	ret = cli_run_file(cl, r->file);
	if (ret < 0)
		cli_error(cl, data, "cannot run '%s': %s", cli_sanitize(r->file, w, sizeof(w)),
			strerror(-ret));
	else if (ret > 0)
		cli_failed(cl);
}

static cmdline_parse_token_string_t cmd_load_load =
	TOKEN_STRING_INITIALIZER(struct cmd_load_result, load, "load");
static cmdline_parse_token_string_t cmd_load_file =
	TOKEN_STRING_INITIALIZER(struct cmd_load_result, file, NULL);

static cmdline_parse_inst_t cmd_load = {
	.f = cmd_load_parsed,
	.data = &cmd_load,
	.help_str = "load FILE: run the commands of FILE (one per line, # comments)",
	.tokens = { (void *)&cmd_load_load, (void *)&cmd_load_file, NULL },
};

static cmdline_parse_inst_t *const general_cmds[] = {
	&cmd_help, &cmd_load, &cmd_quit, &cmd_exit, NULL,
};

const struct cli_group cli_group_general = {
	.title = "General",
	.cmds = general_cmds,
};

/* ---- context ---- */

struct vs_cli *
vs_cli_create(struct vs_dp *dp, const struct vs_config *cfg, char *err, size_t errlen)
{
	struct vs_cli *cli;
	unsigned int n = 0, g, i;
	const char *path;

	if (cli_ctx != NULL) {
		snprintf(err, errlen, "the CLI exists already");
		return NULL;
	}
	cli = calloc(1, sizeof(*cli));
	if (cli == NULL) {
		snprintf(err, errlen, "out of memory for the CLI");
		return NULL;
	}
	cli->dp = dp;
	cli->cfg = cfg;
	for (g = 0; g < RTE_DIM(cli_groups); g++)
		for (i = 0; cli_groups[g]->cmds[i] != NULL; i++)
			n++;
	cli->ctx = calloc(n + 2, sizeof(*cli->ctx));
	cli->real_ctx = calloc(n + 1, sizeof(*cli->real_ctx));
	if (cli->ctx == NULL || cli->real_ctx == NULL)
		goto nomem;
	n = 0;
	for (g = 0; g < RTE_DIM(cli_groups); g++) {
		for (i = 0; cli_groups[g]->cmds[i] != NULL; i++) {
			cli->ctx[n] = cli_groups[g]->cmds[i];
			cli->real_ctx[n] = cli_groups[g]->cmds[i];
			n++;
		}
	}
	cli->ctx[n] = &cmd_fallback;
	cli->probe = cmdline_new(cli->real_ctx, "", -1, -1);
	if (cli->probe == NULL)
		goto nomem;
	cli_ctx = cli;
	path = cfg->host.ctl_socket[0] != '\0' ? cfg->host.ctl_socket : VS_CLI_DEFAULT_SOCKET;
	if (cli_server_create(cli, path, err, errlen) != 0) {
		vs_cli_destroy(cli);
		return NULL;
	}
	return cli;
nomem:
	snprintf(err, errlen, "out of memory for the CLI");
	free(cli->ctx);
	free(cli->real_ctx);
	free(cli);
	return NULL;
}

bool
vs_cli_quit_requested(const struct vs_cli *cli)
{
	return cli->quit;
}

void
vs_cli_destroy(struct vs_cli *cli)
{
	unsigned int i;

	if (cli == NULL)
		return;
	cli_server_destroy(cli);
	cmdline_free(cli->probe);
	for (i = 0; i < VS_MAX_PORTS; i++)
		free(cli->port_base[i].xstats);
	free(cli->lcore_base);
	free(cli->ctx);
	free(cli->real_ctx);
	free(cli);
	cli_ctx = NULL;
}
