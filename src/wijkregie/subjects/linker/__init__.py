"""Person linker: pure code (numpy/scipy, no ORM). The public interface is ``api``."""
