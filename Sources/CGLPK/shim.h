// The one header through which Swift sees GLPK. GLPK has no pkg-config file,
// so the module map links libglpk directly.
#include <glpk.h>
#include <setjmp.h>
#include <string.h>

// GLPK ends the process (abort) on a fatal error: an internal assertion, such as its MIP
// presolver's "q->lb < q->ub" (npp3.c) on a model with an unbounded follower, or an invalid
// scale factor when two coefficients of a row overflow their product. It calls an error hook
// first; the hook below frees GLPK's environment and jumps back to the guarded call, which then
// reports the failure instead (the pattern of GLPK's own examples/threads/multiseed.c). After a
// failure every GLPK object is gone: the caller must not touch or delete its problem again.
// Everything GLPK prints goes to a terminal hook that keeps the last message and prints nothing.

typedef struct {
    jmp_buf jump;
    // The end of what GLPK printed last (its error message after a failure).
    char message[512];
} blo_glpk_guard;

static int blo_glpk_terminal(void *info, const char *text) {
    blo_glpk_guard *guard = (blo_glpk_guard *)info;
    size_t used = strlen(guard->message), room = sizeof(guard->message) - 1;
    size_t length = strlen(text);
    if (length >= room) {
        text += length - room;
        length = room;
    }
    if (used + length > room) {
        // Keep the newest text: drop the oldest.
        size_t drop = used + length - room;
        memmove(guard->message, guard->message + drop, used - drop + 1);
        used -= drop;
    }
    memcpy(guard->message + used, text, length);
    guard->message[used + length] = 0;
    return 1;  // nonzero: GLPK prints nothing itself
}

static void blo_glpk_fatal(void *info) {
    blo_glpk_guard *guard = (blo_glpk_guard *)info;
    glp_free_env();
    longjmp(guard->jump, 1);
}

/// Installs the hooks for the calls that follow (again after every failure: freeing the
/// environment removes them).
static inline void blo_glpk_hooks(blo_glpk_guard *guard) {
    guard->message[0] = 0;
    glp_term_hook(blo_glpk_terminal, guard);
    glp_error_hook(blo_glpk_fatal, guard);
}

/// glp_simplex, or -1 after a fatal error of GLPK (its environment is then freed).
static inline int blo_glp_simplex(glp_prob *problem, const glp_smcp *parameters, blo_glpk_guard *guard) {
    if (setjmp(guard->jump)) return -1;
    return glp_simplex(problem, parameters);
}

/// glp_exact, or -1 after a fatal error of GLPK (its environment is then freed).
static inline int blo_glp_exact(glp_prob *problem, const glp_smcp *parameters, blo_glpk_guard *guard) {
    if (setjmp(guard->jump)) return -1;
    return glp_exact(problem, parameters);
}

/// glp_intopt, or -1 after a fatal error of GLPK (its environment is then freed).
static inline int blo_glp_intopt(glp_prob *problem, const glp_iocp *parameters, blo_glpk_guard *guard) {
    if (setjmp(guard->jump)) return -1;
    return glp_intopt(problem, parameters);
}

/// Removes the hooks (the guard is about to go away).
static inline void blo_glpk_unhook(void) {
    glp_error_hook(NULL, NULL);
    glp_term_hook(NULL, NULL);
}
