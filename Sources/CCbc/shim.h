// The one header through which Swift sees CBC's C interface (linked through cbc.pc).
#include <coin/Cbc_C_Interface.h>
