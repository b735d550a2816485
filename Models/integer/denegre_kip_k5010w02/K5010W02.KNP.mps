* ENCODING=ISO-8859-1
NAME          ./convert/K5010W02.KNP.mps
ROWS
 N  OBJROW            
 L  R0000000          
 L  IC0               
 L  IC1               
 L  IC2               
 L  IC3               
 L  IC4               
 L  IC5               
 L  IC6               
 L  IC7               
 L  IC8               
 L  IC9               
 L  interdictionBudget
COLUMNS
    MARK0000  'MARKER'                 'INTORG'
    C0000000            OBJROW                                  248
    C0000000            R0000000                                764
    C0000000            IC0                                       1
    C0000001            OBJROW                                  457
    C0000001            R0000000                                309
    C0000001            IC1                                       1
    C0000002            OBJROW                                  993
    C0000002            R0000000                                165
    C0000002            IC2                                       1
    C0000003            OBJROW                                  393
    C0000003            R0000000                                862
    C0000003            IC3                                       1
    C0000004            OBJROW                                  793
    C0000004            R0000000                                 27
    C0000004            IC4                                       1
    C0000005            OBJROW                                  402
    C0000005            R0000000                                999
    C0000005            IC5                                       1
    C0000006            OBJROW                                  185
    C0000006            R0000000                                228
    C0000006            IC6                                       1
    C0000007            OBJROW                                   16
    C0000007            R0000000                                135
    C0000007            IC7                                       1
    C0000008            OBJROW                                  706
    C0000008            R0000000                                 44
    C0000008            IC8                                       1
    C0000009            OBJROW                                  720
    C0000009            R0000000                                807
    C0000009            IC9                                       1
    x0                  IC0                                       1
    x0                  interdictionBudget                       32
    x1                  IC1                                       1
    x1                  interdictionBudget                      531
    x2                  IC2                                       1
    x2                  interdictionBudget                      494
    x3                  IC3                                       1
    x3                  interdictionBudget                      413
    x4                  IC4                                       1
    x4                  interdictionBudget                      108
    x5                  IC5                                       1
    x5                  interdictionBudget                      855
    x6                  IC6                                       1
    x6                  interdictionBudget                      426
    x7                  IC7                                       1
    x7                  interdictionBudget                      553
    x8                  IC8                                       1
    x8                  interdictionBudget                      848
    x9                  IC9                                       1
    x9                  interdictionBudget                      315
    MARK0001  'MARKER'                 'INTEND'
RHS
    rhs                 R0000000                               2170
    rhs                 IC0                                       1
    rhs                 IC1                                       1
    rhs                 IC2                                       1
    rhs                 IC3                                       1
    rhs                 IC4                                       1
    rhs                 IC5                                       1
    rhs                 IC6                                       1
    rhs                 IC7                                       1
    rhs                 IC8                                       1
    rhs                 IC9                                       1
    rhs                 interdictionBudget                     2288
BOUNDS
 UP bnd                 C0000000                                  1
 UP bnd                 C0000001                                  1
 UP bnd                 C0000002                                  1
 UP bnd                 C0000003                                  1
 UP bnd                 C0000004                                  1
 UP bnd                 C0000005                                  1
 UP bnd                 C0000006                                  1
 UP bnd                 C0000007                                  1
 UP bnd                 C0000008                                  1
 UP bnd                 C0000009                                  1
 UP bnd                 x0                                        1
 UP bnd                 x1                                        1
 UP bnd                 x2                                        1
 UP bnd                 x3                                        1
 UP bnd                 x4                                        1
 UP bnd                 x5                                        1
 UP bnd                 x6                                        1
 UP bnd                 x7                                        1
 UP bnd                 x8                                        1
 UP bnd                 x9                                        1
ENDATA
