from faultdrill.cli.entry import main

main()
