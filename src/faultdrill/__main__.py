from faultdrill.cli.main import main

main()
