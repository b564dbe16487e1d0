from optimizer.cli import main

if __name__ == "__main__":  # python -m optimizer
    main(prog_name="rollout")
