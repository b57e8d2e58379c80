#!/usr/bin/env python3
"""Writes torch_net.safetensors (a PyTorch model's state_dict, saved by Hugging Face's
safetensors package) and torch_net_io.safetensors (an input and the model's eval-mode output),
for the network of ModuleTests.Net: conv 3×3 → batch norm → ReLU → max pool 2 → mean → linear.
One training-mode forward moves the batch-norm statistics first, so every buffer matters."""
import torch
import torch.nn as nn
from safetensors.torch import save_file

torch.manual_seed(5)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 3, 3, padding=1), nn.BatchNorm2d(3), nn.ReLU(), nn.MaxPool2d(2))
        self.head = nn.Linear(3, 2)

    def forward(self, x):
        return self.head(self.features(x).mean(dim=(2, 3)))


net = Net()
net(torch.randn(4, 1, 6, 6) * 2 + 1)
net.eval()
x = torch.randn(2, 1, 6, 6)
with torch.no_grad():
    y = net(x)
save_file(net.state_dict(), "torch_net.safetensors", metadata={"format": "pt"})
save_file({"x": x, "y": y}, "torch_net_io.safetensors")
