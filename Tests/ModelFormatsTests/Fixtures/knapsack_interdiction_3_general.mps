* The same interdiction instance in the general form (as BOBILib converted MibS's interdiction
* files): explicit binary leader columns x0..x2, the budget row, y_j + u_j x_j <= u_j.
NAME knapsack_interdiction_3
ROWS
 N obj
 L cap
 L interdiction_budget
 L interdict_y0
 L interdict_y1
 L interdict_y2
COLUMNS
    MARKER 'MARKER' 'INTORG'
    y0 obj 4 cap 3
    y0 interdict_y0 1
    y1 obj 5 cap 4
    y1 interdict_y1 1
    y2 obj 3 cap 2
    y2 interdict_y2 1
    x0 interdiction_budget 1 interdict_y0 1
    x1 interdiction_budget 1 interdict_y1 1
    x2 interdiction_budget 1 interdict_y2 1
    MARKER 'MARKER' 'INTEND'
RHS
    RHS cap 6 interdiction_budget 1
    RHS interdict_y0 1 interdict_y1 1
    RHS interdict_y2 1
BOUNDS
 UP BND y0 1
 UP BND y1 1
 UP BND y2 1
 BV BND x0
 BV BND x1
 BV BND x2
ENDATA
