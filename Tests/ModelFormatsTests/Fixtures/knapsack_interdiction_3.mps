* Knapsack interdiction, 3 items (weights 3 4 2, profits 4 5 3, capacity 6), budget 1: the
* follower's problem only, as MibS's interdiction files hold it (objective: -profit, minimised).
* Optimum by enumeration: interdict item y2, the follower then takes y1 alone: F = 5.
NAME knapsack_interdiction_3
ROWS
 N obj
 L cap
COLUMNS
    MARKER 'MARKER' 'INTORG'
    y0 obj -4 cap 3
    y1 obj -5 cap 4
    y2 obj -3 cap 2
    MARKER 'MARKER' 'INTEND'
RHS
    RHS cap 6
BOUNDS
 UP BND y0 1
 UP BND y1 1
 UP BND y2 1
ENDATA
