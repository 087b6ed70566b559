/* Tests of --set PATH=VALUE (io/config_override.c): the edit of the
 * resolved config, its checks by the config reader, and the commands that
 * take it. */
#include <criterion/criterion.h>
#include <math.h>
#include <hdf5.h>
#include <cjson/cJSON.h>

#include "io/config_override.h"
#include "io/config_tree.h"
#include "test_util.h"

/* The number at `path` of a config text (NAN when absent). */
static double number_at(const char *text, const char *path)
{
    cJSON *tree = cJSON_Parse(text);
    char why[256];
    cJSON *v = tree ? config_tree_find(tree, path, why, sizeof why) : NULL;
    double x = cJSON_IsNumber(v) ? v->valuedouble : NAN;
    cJSON_Delete(tree);
    return x;
}

static const char *const base_text =
    "{\"run\": {\"years\": 10, \"seed\": 1}, \"policies\": [{\"name\": \"a\"}, "
    "{\"name\": \"b\", \"programme\": {\"fidelity\": {\"score\": 100}}}]}";

Test(config_override, sets_numbers_strings_objects_and_new_members)
{
    const char *sets[] = { "run.years=3", "policies[1].programme.fidelity.score=85.5",
                           "policies[0].name=status_quo", "run.note={\"who\": [1, 2]}",
                           "extra.deep.key=0.1", "policies[1].name=\"quoted\"",
                           "run.years=4" /* a later one wins */ };
    char *text = NULL, err[512];
    cr_assert_eq(config_override_text(base_text, sets, 7, &text, err, sizeof err), CONFIG_OK,
                 "%s", err);
    cr_expect_eq(number_at(text, "run.years"), 4);
    cr_expect_eq(number_at(text, "run.seed"), 1);
    cr_expect_eq(number_at(text, "policies[1].programme.fidelity.score"), 85.5);
    cr_expect_eq(number_at(text, "run.note.who[1]"), 2);
    cr_expect_eq(number_at(text, "extra.deep.key"), 0.1); /* read back exactly */
    cJSON *tree = cJSON_Parse(text);
    char why[128];
    cJSON *name0 = config_tree_find(tree, "policies[0].name", why, sizeof why);
    cJSON *name1 = config_tree_find(tree, "policies[1].name", why, sizeof why);
    cr_expect(cJSON_IsString(name0) && !strcmp(name0->valuestring, "status_quo"));
    cr_expect(cJSON_IsString(name1) && !strcmp(name1->valuestring, "quoted"));
    cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItem(tree, "policies")), 2);
    cJSON_Delete(tree);
    free(text);
}

Test(config_override, bad_overrides_name_the_override_and_the_reason)
{
    struct { const char *set, *expect; } cases[] = {
        { "run.years", "expected PATH=VALUE" },
        { "=3", "expected PATH=VALUE" },
        { "policies[2].name=x", "'policies' has 2 elements, index 2 is out of range" },
        { "run.years.x=1", "'run.years' is not an object" },
        { "run[0]=1", "'run' is not an array" },
        { "policies[x].name=1", "bad array index" },
        { "run..years=1", "an empty key at '.years'" },
        { "run.=1", "the path ends with '.'" },
        { "[0]=1", "the config is not an array" },
        /* an index is digits, and never wraps round to an element */
        { "policies[-1].name=x", "bad array index at '[-1].name'" },
        { "policies[+1].name=x", "bad array index" },
        { "policies[ 1].name=x", "bad array index" },
        { "policies[4294967296].name=x", "index 4294967296 is out of range" },
        { "policies[99999999999999999999999].name=x", "'policies' has 2 elements, index "
                                                       "99999999999999999999999 is out of range" },
        /* a missing member is added, but not when it is indexed next */
        { "polices[1].name=x", "the config has no key 'polices'" },
        { "run.list[0]=1", "'run' has no key 'list'" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *text = NULL, err[512];
        const char *sets[] = { "run.years=3", cases[i].set };
        cr_expect_eq(config_override_text(base_text, sets, 2, &text, err, sizeof err),
                     CONFIG_INVALID, "%s", cases[i].set);
        cr_expect_null(text);
        cr_expect(strstr(err, cases[i].set) && strstr(err, cases[i].expect), "%s -> %s",
                  cases[i].set, err);
    }
}

Test(config_override, values_are_read_as_strictly_as_a_file)
{
    /* JSON as a file has it, or plain text; what starts like JSON must be JSON */
    struct { const char *set, *expect; } bad[] = {
        { "run.years=+2", "VALUE is not JSON: invalid number: a leading '+'" },
        { "run.years=2.", "VALUE is not JSON: invalid number: expected a digit after '.'" },
        { "run.years=02", "VALUE is not JSON: invalid number: leading zeros" },
        { "run.years=[1, 2", "VALUE is not JSON: unexpected end of input" },
        { "run.note={\"a\": 1, \"a\": 2}", "VALUE is not JSON: duplicate key 'a'" },
        { "run.note=\"a\\u0000b\"", "\\u0000 is not allowed in strings" },
        { "run.years=1e999", "VALUE has a number too large for a double" },
        { "run.note=ips\tfair", "control character 0x09 at offset 12" },
        { "run.note=line 1\nline 2", "control character 0x0A at offset 15" },
        { "run.note=\xff", "byte 0xFF at offset 9 is not UTF-8" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char *text = NULL, err[512];
        const char *sets[] = { bad[i].set };
        cr_expect_eq(config_override_text(base_text, sets, 1, &text, err, sizeof err),
                     CONFIG_INVALID, "%s", bad[i].set);
        cr_expect_null(text);
        cr_expect(strstr(err, bad[i].expect), "%s -> %s", bad[i].set, err);
    }
    const char *good[] = { "run.years= 2 ", "run.note=ips fair", "run.label=Zürich ✓",
                           "run.flag=true", "run.name=\"2nd\"" };
    char *text = NULL, err[512];
    cr_assert_eq(config_override_text(base_text, good, 5, &text, err, sizeof err), CONFIG_OK,
                 "%s", err);
    cJSON *tree = cJSON_Parse(text);
    cr_expect_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(tree, "run"), "years")->valuedouble, 2);
    const char *strings[][2] = { { "note", "ips fair" }, { "label", "Zürich ✓" },
                                 { "name", "2nd" } };
    for (size_t i = 0; i < 3; i++) {
        cJSON *v = cJSON_GetObjectItem(cJSON_GetObjectItem(tree, "run"), strings[i][0]);
        cr_expect(cJSON_IsString(v) && !strcmp(v->valuestring, strings[i][1]), "%s",
                  strings[i][0]);
    }
    cr_expect(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(tree, "run"), "flag")));
    cJSON_Delete(tree);
    free(text);
}

Test(config_override, load_applies_and_checks_the_overrides)
{
    config_overrides ov = { 0 };
    config_overrides_add(&ov, "run.years=3");
    config_overrides_add(&ov, "policies[2].programme.fidelity.score=85");
    ipsim_config cfg;
    cr_assert_eq(config_load_overridden(NULL, &ov, &cfg, stderr), CONFIG_OK);
    cr_expect_float_eq(cfg.model.horizon_days, 3 * DAYS_PER_YEAR, 1e-9);
    cr_expect_eq(number_at(cfg.resolved_json, "policies[2].programme.fidelity.score"), 85);
    cr_expect_str_eq(cfg.overrides, "run.years=3\npolicies[2].programme.fidelity.score=85");
    cr_expect_str_eq(cfg.source, "built-in default");
    config_clear(&cfg);

    /* without overrides: the plain load, nothing noted */
    cr_assert_eq(config_load_overridden(NULL, NULL, &cfg, stderr), CONFIG_OK);
    cr_expect_null(cfg.overrides);
    cr_expect_float_eq(cfg.model.horizon_days, number_at(cfg.resolved_json, "run.years")
                                                    * DAYS_PER_YEAR, 1e-9);
    config_clear(&cfg);
}

Test(config_override, a_long_list_of_overrides_is_kept_whole)
{
    /* 64 overrides of 100 characters and more: all of them are noted */
    static char sets[CONFIG_MAX_OVERRIDES][160];
    config_overrides ov = { 0 };
    for (int i = 0; i < CONFIG_MAX_OVERRIDES; i++) {
        snprintf(sets[i], sizeof sets[i], "policies[2].programme.fidelity.score=%d%s", 30 + i,
                 i == CONFIG_MAX_OVERRIDES - 1 ? "" : ".000000000000000000000000000000000000"
                                                      "0000000000000000000000000000");
        cr_assert_eq(config_overrides_add(&ov, sets[i]), 0);
    }
    cr_expect_eq(config_overrides_add(&ov, "run.years=1"), -1, "the 65th is refused");
    ipsim_config cfg;
    cr_assert_eq(config_load_overridden(NULL, &ov, &cfg, stderr), CONFIG_OK);
    cr_expect_eq(number_at(cfg.resolved_json, "policies[2].programme.fidelity.score"), 93);
    const char *p = cfg.overrides;
    for (int i = 0; i < CONFIG_MAX_OVERRIDES; i++) {
        size_t n = strlen(sets[i]);
        cr_assert(!strncmp(p, sets[i], n), "override %d: %.60s", i, p);
        p += n;
        cr_assert_eq(*p, i == CONFIG_MAX_OVERRIDES - 1 ? '\0' : '\n');
        p += *p == '\n';
    }
    config_clear(&cfg);
}

/* Runs config_load_overridden on `path` and returns what it printed. */
static int load_messages(const char *path, const config_overrides *ov, char *msg, size_t len)
{
    FILE *f = fmemopen(msg, len, "w");
    ipsim_config cfg;
    int rc = config_load_overridden(path, ov, &cfg, f);
    fclose(f);
    if (rc == CONFIG_OK)
        config_clear(&cfg);
    return rc;
}

Test(config_override, a_refused_value_is_reported_as_coming_from_set)
{
    char msg[2048] = "";
    config_overrides ov = { 0 };
    config_overrides_add(&ov, "policies[2].programme.fidelity.score=130");
    config_overrides_add(&ov, "run.yeras=3");
    config_overrides_add(&ov, "run.scale=ten");
    cr_assert_eq(load_messages(NULL, &ov, msg, sizeof msg), CONFIG_INVALID);
    cr_expect(strstr(msg, "built-in default with --set: policies[2].programme.fidelity.score: "
                          "130 is outside 25..125"), "%s", msg);
    cr_expect(strstr(msg, "built-in default with --set: run: unknown key 'yeras'; did you mean "
                          "'years'?"), "%s", msg);
    cr_expect(strstr(msg, "built-in default with --set: run.scale:"), "%s", msg);
}

Test(config_override, the_file_is_checked_first_with_its_own_locations)
{
    char dir[64], path[128], msg[2048] = "";
    cr_assert(tu_tmpdir(dir));
    snprintf(path, sizeof path, "%s/bad.json", dir);
    tu_write_file(path, "{\n  \"run\": {\"years\": -1}\n}\n");
    config_overrides ov = { 0 };
    config_overrides_add(&ov, "run.years=3"); /* would mend it, but the file is wrong */
    cr_assert_eq(load_messages(path, &ov, msg, sizeof msg), CONFIG_INVALID);
    char expect[256];
    snprintf(expect, sizeof expect, "%s:2:20: run.years:", path);
    cr_expect(strstr(msg, expect), "%s", msg);
    cr_expect_null(strstr(msg, "--set"), "%s", msg);
    unlink(path);
    rmdir(dir);
}

Test(config_override, projection_sections_take_overrides)
{
    config_overrides ov = { 0 };
    config_overrides_add(&ov, "projection.last_year=2020");
    config_overrides_add(&ov, "projection.replications=3");
    proj_config *pc = calloc(1, sizeof *pc);
    char path[512];
    snprintf(path, sizeof path, "%s/configs/projection_2035.json", IPSIM_SOURCE_DIR);
    cr_assert_eq(proj_config_load_overridden(path, &ov, pc, stderr), PROJ_OK);
    cr_expect_eq(pc->last_year, 2020);
    cr_expect_eq(pc->replications, 3);
    proj_config_clear(pc);
    char msg[2048] = "";
    FILE *f = fmemopen(msg, sizeof msg, "w");
    config_overrides bad = { 0 };
    config_overrides_add(&bad, "projection.last_year=1990");
    cr_expect_eq(proj_config_load_overridden(path, &bad, pc, f), PROJ_INVALID);
    fclose(f);
    cr_expect(strstr(msg, "with --set: projection.last_year: 1990 is before first_year"), "%s",
              msg);
    free(pc);
}

Test(config_override, a_value_the_uncertainty_section_draws_cannot_be_set)
{
    char path[512], err[1024];
    snprintf(path, sizeof path, "%s/configs/ips_uncertainty.json", IPSIM_SOURCE_DIR);
    struct { const char *set, *expect; } cases[] = {
        /* the drawn number itself, by another spelling too, and an object holding it */
        { "policies[2].programme.fidelity.score=40", "policies[2].programme.fidelity.score: "
          "drawn anew in every replication by uncertainty.parameters[1] ('ips_fidelity')" },
        { "policies[02].programme.effects.job_finding=2", "by uncertainty.parameters[0] "
          "('ips_job_finding')" },
        { "policies[2].programme.fidelity={\"score\": 40}", "policies[2].programme.fidelity: "
          "holds policies[2].programme.fidelity.score, drawn anew" },
        /* values not drawn, and the section itself, can be set */
        { "policies[1].programme.fidelity.score=40", NULL },
        { "uncertainty.parameters[1].upper=100", NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        config_overrides ov = { 0 };
        config_overrides_add(&ov, cases[i].set);
        ipsim_config cfg;
        cr_assert_eq(config_load_overridden(path, &ov, &cfg, stderr), CONFIG_OK, "%s",
                     cases[i].set);
        int rc = config_overrides_check_drawn(&cfg, err, sizeof err);
        if (cases[i].expect) {
            cr_expect_eq(rc, CONFIG_INVALID, "%s", cases[i].set);
            cr_expect(strstr(err, cases[i].expect), "%s -> %s", cases[i].set, err);
        } else {
            cr_expect_eq(rc, CONFIG_OK, "%s: %s", cases[i].set, err);
        }
        config_clear(&cfg);
    }
    /* run refuses it before writing anything; trial, which does not draw, takes it */
    char dir[64], out_path[128], args[1024], out[8192], errs[4096];
    cr_assert(tu_tmpdir(dir));
    snprintf(out_path, sizeof out_path, "%s/u.h5", dir);
    snprintf(args, sizeof args, "run %s --quiet --reps 2 --set run.years=1 --set run.scale=0.001 "
             "--set 'policies[2].programme.fidelity.score=40' -o %s", path, out_path);
    cr_expect_eq(tu_run_ipsim(args, out, sizeof out, errs, sizeof errs), 2);
    cr_expect(strstr(errs, "ips_uncertainty.json with --set: policies[2].programme.fidelity.score: "
                           "drawn anew"), "%s", errs);
    cr_expect_not(tu_file_exists(out_path));
    rmdir(dir);
}

/* The string attribute `name` of the file's root, into buf. */
static bool root_attribute(const char *file, const char *name, char *buf, size_t len)
{
    hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t a = f >= 0 ? H5Aopen(f, name, H5P_DEFAULT) : -1;
    hid_t t = a >= 0 ? H5Aget_type(a) : -1;
    bool ok = t >= 0 && H5Tget_size(t) <= len && H5Aread(a, t, buf) >= 0;
    if (t >= 0)
        H5Tclose(t);
    if (a >= 0)
        H5Aclose(a);
    if (f >= 0)
        H5Fclose(f);
    return ok;
}

Test(config_override, run_records_the_overrides_and_refuses_bad_ones_without_output)
{
    char dir[64], out_path[128], args[512], out[8192], err[4096], attr[1024];
    cr_assert(tu_tmpdir(dir));
    snprintf(out_path, sizeof out_path, "%s/r.h5", dir);
    snprintf(args, sizeof args,
             "run --reps 1 --threads 1 --quiet --set run.years=1 --set run.scale=0.002 "
             "--set 'policies[2].programme.fidelity.score=70' -o %s", out_path);
    cr_assert_eq(tu_run_ipsim(args, out, sizeof out, err, sizeof err), 0, "%s", err);
    /* the header gives them as they can be typed again */
    cr_expect(strstr(out, "with --set run.years=1 --set run.scale=0.002 --set "
                          "'policies[2].programme.fidelity.score=70'\n"), "%s", out);
    cr_expect(strstr(out, "(3 policies x 1 replication), 1 year from 2017, scale 0.002"), "%s",
              out);
    cr_assert(root_attribute(out_path, "config_overrides", attr, sizeof attr));
    cr_expect_str_eq(attr, "run.years=1\nrun.scale=0.002\n"
                           "policies[2].programme.fidelity.score=70");
    unlink(out_path);

    snprintf(args, sizeof args, "run --quiet --set run.years=0 -o %s", out_path);
    cr_expect_eq(tu_run_ipsim(args, out, sizeof out, err, sizeof err), 2);
    cr_expect(strstr(err, "built-in default with --set: run.years:"), "%s", err);
    cr_expect_not(tu_file_exists(out_path));
    snprintf(args, sizeof args, "run --quiet --set -o %s", out_path);
    cr_expect_eq(tu_run_ipsim(args, out, sizeof out, err, sizeof err), 2);
    cr_expect(strstr(err, "--set needs PATH=VALUE"), "%s", err);
    cr_expect_not(tu_file_exists(out_path));
    rmdir(dir);
}

/* The --json summary of a run without what differs between two runs of
 * one scenario (time, threads, file names, the overrides). */
static cJSON *run_summary(const char *json)
{
    cJSON *o = cJSON_Parse(json);
    const char *vary[] = { "wall_seconds", "threads", "output", "config", "overrides" };
    for (size_t i = 0; o && i < sizeof vary / sizeof *vary; i++)
        cJSON_DeleteItemFromObject(o, vary[i]);
    return o;
}

Test(config_override, the_stored_config_reproduces_a_run_with_overrides)
{
    static char out_a[65536], out_b[65536];
    char dir[64], a[128], b[128], recorded[128], args[1024], err[4096], attr[64];
    cr_assert(tu_tmpdir(dir));
    snprintf(a, sizeof a, "%s/a.h5", dir);
    snprintf(b, sizeof b, "%s/b.h5", dir);
    snprintf(recorded, sizeof recorded, "%s/recorded.json", dir);
    snprintf(args, sizeof args, "run --quiet --json --threads 2 --reps 3 --seed 11 "
             "--set run.years=2 --set run.scale=0.002 --set run.seed=5 "
             "--set 'policies[2].programme.fidelity.score=60' "
             "--set 'policies[1].programme.caseload=12' -o %s", a);
    cr_assert_eq(tu_run_ipsim(args, out_a, sizeof out_a, err, sizeof err), 0, "%s", err);
    char *text = tu_h5_text(a, "config");
    cr_assert_not_null(text);
    cr_expect_eq(number_at(text, "policies[2].programme.fidelity.score"), 60);
    cr_expect_eq(number_at(text, "run.seed"), 11, "--seed wins over --set run.seed");
    cr_assert_eq(tu_write_file(recorded, text), 0);
    free(text);
    snprintf(args, sizeof args, "run %s --quiet --json --threads 1 -o %s", recorded, b);
    cr_assert_eq(tu_run_ipsim(args, out_b, sizeof out_b, err, sizeof err), 0, "%s", err);
    cJSON *ja = run_summary(out_a), *jb = run_summary(out_b);
    cr_assert(ja && jb);
    cr_expect(cJSON_Compare(ja, jb, true), "%.2000s\n---\n%.2000s", out_a, out_b);
    cJSON_Delete(ja);
    cJSON_Delete(jb);
    /* the second run had no overrides */
    cr_assert(root_attribute(b, "config_overrides", attr, sizeof attr));
    cr_expect_str_eq(attr, "");
    cr_expect(strstr(out_b, "\"overrides\":\t[]"), "%.300s", out_b);
    unlink(a);
    unlink(b);
    unlink(recorded);
    rmdir(dir);
}

Test(config_override, every_scenario_command_takes_set)
{
    static char out[65536];
    char err[4096], dir[64], args[1024], file[128];
    cr_assert(tu_tmpdir(dir));
    snprintf(file, sizeof file, "%s/x.h5", dir);
    /* a refused override stops each command before it writes anything */
    const char *cmds[] = { "trial --quiet -o", "power --quiet -o", "bench --years 1 --runs",
                           "project " IPSIM_SOURCE_DIR "/configs/projection_2035.json -o" };
    for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++) {
        snprintf(args, sizeof args, "%s %s --set run.start_year=1700", cmds[i],
                 strstr(cmds[i], "bench") ? "1" : file);
        cr_expect_eq(tu_run_ipsim(args, out, sizeof out, err, sizeof err), 2, "%s", cmds[i]);
        cr_expect(strstr(err, "with --set: run.start_year:"), "%s: %s", cmds[i], err);
        cr_expect_not(tu_file_exists(file), "%s", cmds[i]);
    }
    /* an accepted one is used, and shown in the header and in --json */
    const char *small = "--set trial.coach_icc=0 --set trial.participants.flanders=48 "
                        "--set trial.participants.wallonia=32 --set trial.participants.brussels=16";
    snprintf(args, sizeof args, "trial --quiet %s --set \"description=it's a pilot\" -o %s",
             small, file);
    cr_assert_eq(tu_run_ipsim(args, out, sizeof out, err, sizeof err), 0, "%s", err);
    cr_expect(strstr(out, " --set 'description=it'\\''s a pilot'\n"), "%s", out);
    cr_expect(strstr(out, "with --set trial.coach_icc=0 --set trial.participants.flanders=48"),
              "%s", out);
    cr_expect(strstr(out, "Design: 96 randomised 48:48"), "%s", out);
    unlink(file);
    snprintf(args, sizeof args, "power --quiet --json --reps 4 --n 96 --effect 1 %s -o %s", small,
             file);
    cr_assert_eq(tu_run_ipsim(args, out, sizeof out, err, sizeof err), 0, "%s", err);
    cr_expect(strstr(out, "\"overrides\":\t[\"trial.coach_icc=0\", "
                          "\"trial.participants.flanders=48\""), "%.400s", out);
    unlink(file);
    cr_assert_eq(tu_run_ipsim("bench --scale 0.002 --years 1 --set policies[2].name=fast "
                              "--policy fast", out, sizeof out, err, sizeof err), 0, "%s", err);
    cr_expect(strstr(out, "ipsim bench: policy fast, 1 year, scale 0.002") != NULL, "%s", out);
    cr_expect(strstr(out, "\nwith --set 'policies[2].name=fast'\n") != NULL, "%s", out);
    /* bench sets the run's length, scale and seed itself */
    cr_expect_eq(tu_run_ipsim("bench --set run.years=1", out, sizeof out, err, sizeof err), 2);
    cr_expect(strstr(err, "ipsim bench: --set run.years=1: bench takes the run's length"), "%s",
              err);
    rmdir(dir);
}

Test(config_override, validate_prints_the_resolved_config_at_the_paths_set_takes)
{
    static char out[262144];
    char err[4096], args[512];
    snprintf(args, sizeof args, "validate %s/configs/ips_uncertainty.json --resolved",
             IPSIM_SOURCE_DIR);
    cr_assert_eq(tu_run_ipsim(args, out, sizeof out, err, sizeof err), 0, "%s", err);
    /* the file states only what differs; the resolved config has every value */
    cr_expect_eq(number_at(out, "run.replications"), 40);
    cr_expect_eq(number_at(out, "population.stock.people"), 465358);
    cr_expect(number_at(out, "policies[2].programme.fidelity.score") >= 25);
    ipsim_config cfg;
    cr_assert_eq(config_load_text("resolved", out, strlen(out), &cfg, stderr), CONFIG_OK);
    config_clear(&cfg);
    snprintf(args, sizeof args, "validate %s/configs/ips_uncertainty.json --resolved --json",
             IPSIM_SOURCE_DIR);
    cr_expect_eq(tu_run_ipsim(args, out, sizeof out, err, sizeof err), 2);
    cr_expect(strstr(err, "choose one"), "%s", err);
}
