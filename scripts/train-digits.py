#!/usr/bin/python3
"""Trains the small residual CNN of models/digits/ and exports it (docs/import.md).

Data: scikit-learn's 8x8 handwritten digits (python3-sklearn ships them), upsampled to 16x16 with bilinear
interpolation, pixel values scaled to [0, 1]. The 1797 images are shuffled with a fixed seed and split into
1297 training images, 150 calibration images (for `imcc import --calibrate`) and 350 held-out test images.

Model: conv 3x3 (8) + BN + ReLU + maxpool 2, then a residual block (conv 3x3 + BN + ReLU, conv 3x3 + BN, add, ReLU),
maxpool 2, flatten and a 128 -> 10 fully connected layer. Exported as ONNX opset 13 with BatchNormalization kept.

Run with Debian's interpreter (apt-get install -y python3-torch python3-sklearn python3-onnx):
    /usr/bin/python3 scripts/train-digits.py [OUTDIR]      # default models/digits
Writes model.onnx, calib_x.npy (float32 N x 1 x 16 x 16), test_x.npy, test_y.npy (int64 labels) and
test_logits.npy (PyTorch's float logits of the test images, to test imcc's float interpreter against).
"""
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits

SEED = 12
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', 'models', 'digits')


class DigitsNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 8, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(8)
        self.conv3 = nn.Conv2d(8, 8, 3, padding=1, bias=False)
        self.bn3 = nn.BatchNorm2d(8)
        self.fc = nn.Linear(8 * 4 * 4, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        y = F.relu(self.bn2(self.conv2(x)))
        x = F.relu(self.bn3(self.conv3(y)) + x)
        x = F.max_pool2d(x, 2)
        return self.fc(torch.flatten(x, 1))


def main():
    torch.manual_seed(SEED)
    digits = load_digits()
    images = torch.tensor(digits.images, dtype=torch.float32).unsqueeze(1) / 16.0
    images = F.interpolate(images, size=(16, 16), mode='bilinear', align_corners=False)
    labels = torch.tensor(digits.target, dtype=torch.int64)
    order = torch.randperm(len(labels), generator=torch.Generator().manual_seed(SEED))
    images, labels = images[order], labels[order]
    train_x, train_y = images[:1297], labels[:1297]
    calib_x = images[1297:1447]
    test_x, test_y = images[1447:], labels[1447:]

    model = DigitsNet()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=15, gamma=0.3)
    for epoch in range(40):
        model.train()
        perm = torch.randperm(len(train_y))
        for i in range(0, len(perm), 64):
            idx = perm[i:i + 64]
            opt.zero_grad()
            loss = F.cross_entropy(model(train_x[idx]), train_y[idx])
            loss.backward()
            opt.step()
        sched.step()
    model.eval()
    with torch.no_grad():
        logits = model(test_x)
    accuracy = (logits.argmax(1) == test_y).float().mean().item()
    print(f'float top-1 on the {len(test_y)} test images: {100 * accuracy:.2f}%')

    os.makedirs(OUT, exist_ok=True)
    torch.onnx.export(model, test_x[:1], os.path.join(OUT, 'model.onnx'), opset_version=13,
                      input_names=['image'], output_names=['logits'],
                      training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False)
    np.save(os.path.join(OUT, 'calib_x.npy'), calib_x.numpy().astype(np.float32))
    np.save(os.path.join(OUT, 'test_x.npy'), test_x.numpy().astype(np.float32))
    np.save(os.path.join(OUT, 'test_y.npy'), test_y.numpy().astype(np.int64))
    np.save(os.path.join(OUT, 'test_logits.npy'), logits.numpy().astype(np.float32))


if __name__ == '__main__':
    main()
