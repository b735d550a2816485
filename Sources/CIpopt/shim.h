// The one header through which Swift sees Ipopt's C interface (linked through ipopt.pc).
#include <coin/IpStdCInterface.h>
