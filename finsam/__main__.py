from finsam.cli.main import main

main()
