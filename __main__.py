import infra.program

infra.program.main()
