// libedit's native interface (histedit.h) and its readline compatibility layer, whose
// completion hooks the shell uses.
#include <stdio.h>
#include <histedit.h>
#include <editline/readline.h>
