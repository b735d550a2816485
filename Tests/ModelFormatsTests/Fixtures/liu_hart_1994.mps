* Liu and Hart (1994), the bilevel LP of Models/literature/liu_hart_1994.blo in the MibS format
* (continuous follower): leader min -x - 3y, follower min y s.t. -x + y <= 3, x + 2y <= 12,
* 4x - y <= 12, x, y >= 0. Published optimum F = -16 at x = 4, y = 4.
NAME liu_hart_1994
ROWS
 N F
 L c1
 L c2
 L c3
COLUMNS
    x F -1 c1 -1
    x c2 1 c3 4
    y F -3 c1 1
    y c2 2 c3 -1
RHS
    RHS c1 3 c2 12
    RHS c3 12
ENDATA
