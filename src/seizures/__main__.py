from seizures.cli import main

raise SystemExit(main())
