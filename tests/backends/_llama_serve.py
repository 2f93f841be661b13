"""Serve a GGUF with llama.cpp's own OpenAI-compatible C++ server, as shipped prebuilt by xllamacpp.

    python tests/backends/_llama_serve.py MODEL.gguf PORT

Binds 127.0.0.1 only and serves until killed. ``_servers.llama_server`` starts and stops it.
"""

import os
import sys
import threading
from pathlib import Path


def main(gguf: str, port: int) -> None:
    import xllamacpp

    p = xllamacpp.CommonParams()
    p.model.path = gguf
    p.hostnames = ["127.0.0.1"]
    p.port = port
    p.n_ctx = 4096
    p.n_parallel = 1
    p.use_jinja = True  # a Jinja chat template, and tool calls parsed from the model's output
    # SmolLM2's own template ignores tools; ours is its ChatML plus tools (see the file)
    p.chat_template = Path(__file__).with_name("smollm2_tools.jinja").read_text()
    p.ui = False
    # No prompt cache: a repeated prompt would reuse its cached prefix and evaluate only the last
    # token, whose logits differ slightly from a full evaluation, so temperature 0 would not give
    # the same text twice (ggml-org/llama.cpp#4902); the tests compare repeated requests.
    p.cache_prompt = False
    p.cache_ram_mib = 0
    threads = int(os.environ.get("POML_LLAMA_THREADS", "1"))
    p.cpuparams.n_threads = threads
    p.cpuparams_batch.n_threads = threads
    p.verbosity = int(os.environ.get("POML_LLAMA_VERBOSITY", "0"))  # warnings and errors only
    server = xllamacpp.Server(p)  # serves from its own threads while this object lives
    print(f"listening on {server.listening_address}", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
