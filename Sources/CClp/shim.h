// The one header through which Swift sees CLP's C interface (linked through clp.pc).
#include <coin/Clp_C_Interface.h>
