"""The web layer: Gradio chat, HTTP API, embeddable widget and feedback store."""
